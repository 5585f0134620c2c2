//! The compiler: walks the resolved AST once and emits register bytecode (`bytecode.rs`).
//!
//! - `mod.rs`: the compiler's state — registers, constants, names, try regions, the cleanups
//!   that `return`/`break`/`continue` run on their way out — and nested functions, classes and
//!   comprehensions.
//! - `stmt.rs`: statements. `try`/`finally` and `with` are compiled as CPython 3.11 does: a
//!   table of protected regions instead of a runtime block stack, and the `finally` body inlined
//!   on every way out, so a frame is only its registers and a program counter.
//! - `expr.rs`: expressions, each into a register, operands left to right.

mod expr;
mod steps;
mod stmt;

use crate::ast::{self, ExprKind, Stmt};
use crate::bytecode::*;
use crate::code::{Code, Flavor, Signature};
use crate::error::SyntaxError;
use crate::names::sym;
use crate::resolver::{node_key, Place, Resolution, ScopeKind};
use crate::span::{Span, Symbol};
use crate::value::Value;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

type CResult<T> = Result<T, SyntaxError>;

/// What the compiler is compiling (a module's expression statements echo at the prompt; names
/// in a class body live in its namespace).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CodeKind {
    Module,
    Function,
    Class,
    Comprehension,
}

/// Compiles a resolved module into the code of its top level.
pub fn compile_module(m: &ast::Module, res: &Resolution) -> CResult<Rc<Code>> {
    compile_module_with(m, res, false)
}

/// `interactive`: top-level expression statements print their value's repr (the REPL).
pub fn compile_module_with(m: &ast::Module, res: &Resolution, interactive: bool) -> CResult<Rc<Code>> {
    let mut c = Compiler::new(res, 0, CodeKind::Module, String::from("<module>"));
    c.interactive = interactive;
    c.stmts(&m.body)?;
    c.return_none();
    let span = m.body.first().map(|s| s.span).unwrap_or_default();
    Ok(Rc::new(c.finish(sym::MODULE_NAME, Flavor::Plain, Signature::default(), span)?))
}

/// What leaving a construct early (`return`, `break`, `continue`) must run on its way out.
enum Cleanup<'a> {
    /// A `finally` body, inlined.
    Finally(&'a [Stmt]),
    /// A `with`: `__exit__(None, None, None)`.
    WithExit(Reg, bool),
    /// An except clause (or a `finally` body reached by an exception): drop the exception.
    PopExc,
    /// `except E as name:` left early (`break`, `continue`, `return`): unbind the name.
    Unbind(Symbol),
}

struct LoopCtx {
    continue_target: u32,
    breaks: Vec<usize>,
    /// How many cleanups were active when the loop began.
    cleanups: usize,
    /// How many try regions were open when the loop began.
    regions: usize,
}

/// A `try` region being compiled: the instruction ranges it protects so far.
struct Region {
    segments: Vec<(u32, u32)>,
    open_at: Option<u32>,
    /// Exceptions being handled when the `try` began.
    depth: u16,
}

pub(super) struct Compiler<'a> {
    res: &'a Resolution,
    scope: usize,
    kind: CodeKind,
    qualname: String,
    interactive: bool,
    instrs: Vec<Instr>,
    spans: Vec<Span>,
    consts: Vec<Value>,
    names: Vec<Symbol>,
    name_index: HashMap<Symbol, u32>,
    handlers: Vec<Handler>,
    functions: Vec<FnTemplate>,
    classes: Vec<ClassTemplate>,
    parts: Vec<(u32, PartSpans)>,
    /// The next free temporary register, and the most ever used.
    next_reg: u16,
    max_reg: u16,
    /// The first register that is not a local variable's.
    first_temp: u16,
    slot_names: Vec<Symbol>,
    loops: Vec<LoopCtx>,
    cleanups: Vec<Cleanup<'a>>,
    regions: Vec<Region>,
    /// Exceptions being handled at this point of the code (nested except clauses).
    handled: u16,
    /// The highest position a jump was pointed at so far: an instruction there is a jump
    /// target and must stay where it is (see `jump_unless`).
    last_target: u32,
    cur_span: Span,
    /// Local variables certainly bound here (the parameters, a `for` target in its body, and
    /// names assigned by an earlier statement of an enclosing block), none of them ever
    /// deleted: an operand naming one is read from its own register, with no copy and no
    /// check (`operand`, `bound_local`). See `stmts`.
    bound: HashSet<Symbol>,
}

impl<'a> Compiler<'a> {
    fn new(res: &'a Resolution, scope: usize, kind: CodeKind, qualname: String) -> Compiler<'a> {
        let sc = &res.scopes[scope];
        let nlocals = if sc.kind == Some(ScopeKind::Module) { 0 } else { sc.nslots as u16 };
        let mut slot_names = vec![Symbol::intern(".?"); nlocals as usize];
        for (name, place) in &sc.places {
            if let Place::Local(i) = place {
                if let Some(s) = slot_names.get_mut(*i as usize) {
                    *s = *name;
                }
            }
        }
        for (i, p) in sc.params.iter().enumerate() {
            if let Some(s) = slot_names.get_mut(i) {
                *s = *p;
            }
        }
        let bound = if matches!(kind, CodeKind::Function | CodeKind::Comprehension) {
            sc.params.iter().filter(|p| !sc.deleted.contains(p)).copied().collect()
        } else {
            HashSet::new()
        };
        Compiler {
            bound,
            res,
            scope,
            kind,
            qualname,
            interactive: false,
            instrs: Vec::new(),
            spans: Vec::new(),
            consts: Vec::new(),
            names: Vec::new(),
            name_index: HashMap::new(),
            handlers: Vec::new(),
            functions: Vec::new(),
            classes: Vec::new(),
            parts: Vec::new(),
            next_reg: nlocals,
            max_reg: nlocals,
            first_temp: nlocals,
            slot_names,
            loops: Vec::new(),
            cleanups: Vec::new(),
            regions: Vec::new(),
            handled: 0,
            last_target: 0,
            cur_span: Span::default(),
        }
    }

    fn finish(mut self, name: Symbol, flavor: Flavor, sig: Signature, span: Span) -> CResult<Code> {
        let sc = &self.res.scopes[self.scope];
        let mut cell_names: Vec<Symbol> = sc.cellvars.clone();
        cell_names.extend(sc.freevars.iter().copied());
        let mut cell_params = Vec::new();
        for (i, p) in sc.params.iter().enumerate() {
            if let Place::Cell(c) = sc.place(*p) {
                cell_params.push((i as u32, c));
            }
        }
        let nregs = self.max_reg as usize;
        self.slot_names.resize(nregs, Symbol::intern(".t"));
        // `await f(x)`: the call is marked, for the VM to see the await without looking ahead.
        for at in 0..self.instrs.len() {
            if let Instr::Call { dst, func, argc } = self.instrs[at] {
                if crate::bytecode::awaited_at(&self.instrs, at + 1, dst).is_some() {
                    self.instrs[at] = Instr::AwaitCall { dst, func, argc };
                }
            }
        }
        let tick_live = steps::bound_steps(&mut self.instrs, &self.handlers, nregs).into_boxed_slice();
        let global_cache = (0..self.names.len()).map(|_| GlobalCacheCell::default()).collect();
        #[cfg(not(debug_assertions))]
        drop(tick_live);
        let bc = Bytecode {
            global_cache,
            #[cfg(debug_assertions)]
            tick_live,
            instrs: self.instrs,
            spans: self.spans,
            consts: self.consts,
            names: self.names,
            handlers: self.handlers,
            functions: self.functions,
            classes: self.classes,
            parts: self.parts,
            module_globals: None,
        };
        // The dispatch loop trusts what this checks (it indexes without bounds checks): a
        // compiler bug is reported here, as an error, never run.
        if let Err(what) = bc.check(nregs) {
            return Err(SyntaxError::internal(
                format_args!("bad bytecode for {}: {}", self.qualname, what),
                span,
            ));
        }
        let positional_only = !sig.vararg && !sig.kwarg && sig.kwonly.is_empty();
        let simple =
            positional_only && flavor == Flavor::Plain && sc.cellvars.is_empty() && cell_params.is_empty();
        // The number of arguments a fast call passes; never matches when not simple.
        let simple_call = if simple { sig.args.len() } else { usize::MAX };
        let uses_owner =
            bc.instrs.iter().any(|i| matches!(i, Instr::Super { .. } | Instr::LoadOwnerClass { .. }));
        Ok(Code {
            name,
            qualname: Rc::from(self.qualname.as_str()),
            flavor,
            nslots: nregs,
            slot_names: self.slot_names,
            cell_names,
            n_own_cells: sc.cellvars.len(),
            cell_params,
            positional_only,
            simple_call,
            uses_owner,
            iterable_coroutine: std::cell::Cell::new(false),
            doc: None,
            sig,
            span,
            bc: Box::new(bc),
        })
    }

    // ----- emitting -----

    fn emit(&mut self, i: Instr) -> usize {
        if let (_, Some(to)) = i.successors() {
            self.last_target = self.last_target.max(to);
        }
        self.instrs.push(i);
        self.spans.push(self.cur_span);
        self.instrs.len() - 1
    }
    /// Emits `i` with the parts of its expression, for the labels of an error it raises.
    fn emit_with(&mut self, i: Instr, parts: PartSpans) -> usize {
        let at = self.emit(i);
        self.parts.push((at as u32, parts));
        at
    }
    fn here(&self) -> u32 {
        self.instrs.len() as u32
    }
    /// Points the jump at `at` to `target`.
    fn patch(&mut self, at: usize, target: u32) {
        self.last_target = self.last_target.max(target);
        match &mut self.instrs[at] {
            Instr::Jump { to }
            | Instr::JumpIfFalse { to, .. }
            | Instr::JumpIfTrue { to, .. }
            | Instr::JumpUnlessK { to, .. }
            | Instr::JumpUnless { to, .. } => *to = target,
            Instr::ForIter { exit, .. } => *exit = target,
            Instr::ForRange { to, .. } => *to = target,
            _ => {}
        }
    }
    /// The jump of an `if` or `while` on `cond`, just evaluated: when the last instruction is
    /// a `Compare` or `CompareK` into `cond`, a temporary, the two become one `JumpUnless` or
    /// `JumpUnlessK` (at the
    /// compare's place, which keeps its span and the parts of its error labels).
    fn jump_unless(&mut self, cond: Reg, mark: Reg) -> usize {
        // A jump to the end of the condition (`x and y < 3`, `a < b < c`: a short cut that
        // leaves False in `cond`) must still find the test there: then nothing is fused.
        let ends_a_shortcut = self.last_target >= self.here();
        let fused = match self.instrs.last() {
            _ if ends_a_shortcut => None,
            Some(&Instr::CompareK { op, dst, a, k }) if dst == cond && cond >= mark => {
                Some(Instr::JumpUnlessK { op, a, k, to: 0 })
            }
            Some(&Instr::Compare { op, dst, a, b }) if dst == cond && cond >= mark => {
                Some(Instr::JumpUnless { op, a, b, to: 0 })
            }
            _ => None,
        };
        if let Some(jump) = fused {
            let at = self.instrs.len() - 1;
            self.instrs[at] = jump;
            return at;
        }
        self.emit(Instr::JumpIfFalse { cond, to: 0 })
    }
    fn patch_here(&mut self, at: usize) {
        let h = self.here();
        self.patch(at, h);
    }

    fn constant(&mut self, v: Value) -> u32 {
        self.consts.push(v);
        (self.consts.len() - 1) as u32
    }
    fn name(&mut self, n: Symbol) -> u32 {
        if let Some(&i) = self.name_index.get(&n) {
            return i;
        }
        self.names.push(n);
        let i = (self.names.len() - 1) as u32;
        self.name_index.insert(n, i);
        i
    }

    // ----- registers -----

    /// A fresh temporary register.
    fn temp(&mut self) -> CResult<Reg> {
        let r = self.next_reg;
        // Registers stay below `KONST_PART`, which tags constants among an error's parts.
        if r >= KONST_PART - 1 {
            return Err(SyntaxError::new("this function needs too many registers", self.cur_span));
        }
        self.next_reg += 1;
        self.max_reg = self.max_reg.max(self.next_reg);
        Ok(r)
    }
    /// The register for the callee (or the awaitable) of an instruction that writes `dst`
    /// only once it is done: `dst` itself when it is the newest temporary, which nothing
    /// else reads meanwhile (as Lua's calls leave their result where the function was), else
    /// a fresh one. A frame needs a register less for each call nested in an expression.
    fn temp_at(&mut self, dst: Reg) -> CResult<Reg> {
        if self.is_newest_temp(dst) {
            Ok(dst)
        } else {
            self.temp()
        }
    }
    /// Whether `dst` is the newest temporary (see `temp_at`).
    fn is_newest_temp(&self, dst: Reg) -> bool {
        dst >= self.first_temp && dst + 1 == self.next_reg
    }
    /// `n` consecutive fresh temporaries; returns the first.
    fn temps(&mut self, n: usize) -> CResult<Reg> {
        let first = self.next_reg;
        for _ in 0..n {
            self.temp()?;
        }
        Ok(first)
    }
    /// Frees every temporary from `mark` up (they are allocated stack-wise).
    fn free_to(&mut self, mark: Reg) {
        self.next_reg = mark;
    }

    // ----- names -----

    fn place(&self, n: Symbol) -> Place {
        let sc = &self.res.scopes[self.scope];
        if sc.kind == Some(ScopeKind::Module) {
            return Place::Global;
        }
        sc.place(n)
    }

    /// The register holding `e`'s value for an instruction that only reads it: the variable's
    /// own register when `e` names a local certainly bound (read in place, as Lua reads its
    /// locals: nothing in the rest of the expression can rebind it), else `scratch`, after
    /// evaluating `e` into it.
    fn operand(&mut self, e: &'a ast::Expr, scratch: Reg) -> CResult<Reg> {
        if let ExprKind::Name(n) = e.kind {
            if let Some(r) = self.bound_local(n) {
                return Ok(r);
            }
        }
        self.expr_to(e, scratch)?;
        Ok(scratch)
    }

    /// The register of `n` if it is a local certainly bound here (see `bound`) that no `:=`
    /// assigns (one could change it between the read and the instruction that uses it).
    fn bound_local(&self, n: Symbol) -> Option<Reg> {
        match self.place(n) {
            Place::Local(i)
                if self.bound.contains(&n) && !self.res.scopes[self.scope].walrus_targets.contains(&n) =>
            {
                Some(i as Reg)
            }
            _ => None,
        }
    }

    fn load_name(&mut self, n: Symbol, dst: Reg) {
        match self.place(n) {
            Place::Local(i) => self.emit(Instr::LoadLocal { dst, src: i as Reg }),
            Place::Cell(c) => self.emit(Instr::LoadCell { dst, cell: c as u16 }),
            // `__class__` in a method: the class it was defined in.
            Place::Global if n == sym::CLASS && self.kind == CodeKind::Function => {
                self.emit(Instr::LoadOwnerClass { dst })
            }
            Place::Global => {
                let name = self.name(n);
                self.emit(Instr::LoadGlobal { dst, name })
            }
            Place::ClassNs => {
                let name = self.name(self.mangle(n));
                self.emit(Instr::LoadClassNs { dst, name })
            }
        };
    }

    fn store_name(&mut self, n: Symbol, src: Reg) {
        match self.place(n) {
            Place::Local(i) => self.emit(Instr::Move { dst: i as Reg, src }),
            Place::Cell(c) => self.emit(Instr::StoreCell { cell: c as u16, src }),
            Place::Global => {
                let name = self.name(n);
                self.emit(Instr::StoreGlobal { name, src })
            }
            Place::ClassNs => {
                let name = self.name(self.mangle(n));
                self.emit(Instr::StoreClassNs { name, src })
            }
        };
    }

    /// `n = None; del n`: unbinds `n` whether or not it is bound (what CPython runs when an
    /// `except E as n:` clause ends, however it ends).
    fn unbind_name(&mut self, n: Symbol) -> CResult<()> {
        let mark = self.next_reg;
        let r = self.temp()?;
        self.load_const(Value::None, r);
        self.store_name(n, r);
        self.delete_name(n);
        self.free_to(mark);
        Ok(())
    }

    fn delete_name(&mut self, n: Symbol) {
        match self.place(n) {
            Place::Local(i) => self.emit(Instr::DelLocal { reg: i as Reg }),
            Place::Cell(c) => self.emit(Instr::DelCell { cell: c as u16 }),
            Place::Global => {
                let name = self.name(n);
                self.emit(Instr::DelGlobal { name })
            }
            Place::ClassNs => {
                let name = self.name(self.mangle(n));
                self.emit(Instr::DelClassNs { name })
            }
        };
    }

    fn return_none(&mut self) {
        let r = self.next_reg;
        if let Ok(r) = self.temp() {
            let k = self.constant(Value::None);
            self.emit(Instr::LoadConst { dst: r, k });
            self.emit(Instr::Return { src: r });
        }
        self.free_to(r);
    }

    // ----- try regions -----

    /// Opens a protected region; exceptions in it go to the handler given to `close_region`.
    fn open_region(&mut self) {
        let at = self.here();
        self.regions.push(Region { segments: Vec::new(), open_at: Some(at), depth: self.handled });
    }

    /// Closes the innermost region, its handler at `target`.
    fn close_region(&mut self, target: u32) {
        let Some(mut r) = self.regions.pop() else { return };
        if let Some(s) = r.open_at.take() {
            r.segments.push((s, self.here()));
        }
        for (start, end) in r.segments {
            if start < end {
                self.handlers.push(Handler { start, end, target, depth: r.depth });
            }
        }
    }

    /// Stops protecting code by the regions from `from` up (the code about to be emitted leaves
    /// them: an exit's cleanups).
    fn suspend_regions(&mut self, from: usize) {
        let here = self.here();
        for r in &mut self.regions[from..] {
            if let Some(s) = r.open_at.take() {
                r.segments.push((s, here));
            }
        }
    }

    fn resume_regions(&mut self, from: usize) {
        let here = self.here();
        for r in &mut self.regions[from..] {
            r.open_at = Some(here);
        }
    }

    /// Emits the cleanups from the innermost down to `keep` (those stay active), innermost
    /// first, each outside the regions it leaves. The regions from `keep_regions` up are left.
    fn emit_cleanups(&mut self, keep: usize, keep_regions: usize) -> CResult<()> {
        self.suspend_regions(keep_regions);
        let saved_handled = self.handled;
        let taken: Vec<Cleanup<'a>> = self.cleanups.drain(keep..).collect();
        for c in taken.iter().rev() {
            match c {
                Cleanup::Finally(body) => {
                    // While its body runs, only the cleanups outside it are active.
                    self.stmts(body)?;
                }
                Cleanup::WithExit(exit, aw) => {
                    self.with_exit(*exit, *aw)?;
                }
                Cleanup::PopExc => {
                    self.emit(Instr::PopExc);
                    self.handled = self.handled.saturating_sub(1);
                }
                Cleanup::Unbind(name) => self.unbind_name(*name)?,
            }
        }
        self.handled = saved_handled;
        self.cleanups.extend(taken);
        self.resume_regions(keep_regions);
        Ok(())
    }

    // ----- nested code -----

    fn closure_of(&self, inner: usize) -> Vec<u16> {
        let free = &self.res.scopes[inner].freevars;
        free.iter()
            .map(|n| match self.place(*n) {
                Place::Cell(c) => c as u16,
                // The resolver makes every free variable of an inner scope a cell here.
                _ => 0,
            })
            .collect()
    }

    /// An attribute name as a class's code sees it: `__secret` written inside class `Point`
    /// (in its body or any function nested in it) is `_Point__secret`, CPython's private name
    /// mangling; a dunder name (`__init__`) and a class named only with underscores are
    /// left alone.
    pub(super) fn mangle(&self, name: Symbol) -> Symbol {
        if !name.as_str().starts_with("__") {
            return name;
        }
        let mut scope = Some(self.scope);
        while let Some(i) = scope {
            let sc = &self.res.scopes[i];
            if sc.kind == Some(ScopeKind::Class) {
                let Some(class) = sc.name else { return name };
                return match crate::names::mangled(class.as_str(), name.as_str()) {
                    Some(m) => Symbol::intern(&m),
                    None => name,
                };
            }
            scope = sc.parent;
        }
        name
    }

    fn child_qualname(&self, name: &str) -> String {
        match self.kind {
            CodeKind::Module => name.to_string(),
            CodeKind::Class => format!("{}.{}", self.qualname, name),
            _ => format!("{}.<locals>.{}", self.qualname, name),
        }
    }

    /// `def` or `lambda`: the function object into `dst`.
    fn make_function(&mut self, f: &'a Rc<ast::FuncDef>, dst: Reg) -> CResult<()> {
        let span = f.span;
        let mark = self.next_reg;
        let defaults: Vec<&ast::Expr> = f.params.args.iter().filter_map(|p| p.default.as_ref()).collect();
        let kwdefaults: Vec<&ast::Expr> = f.params.kwonly.iter().filter_map(|p| p.default.as_ref()).collect();
        let args = self.temps(defaults.len() + kwdefaults.len())?;
        for (i, d) in defaults.iter().chain(kwdefaults.iter()).enumerate() {
            self.expr_to(d, args + i as Reg)?;
        }
        let Some(&scope) = self.res.by_node.get(&node_key(&**f)) else {
            return Err(SyntaxError::internal("function scope", span));
        };
        let qual = self.child_qualname(f.name.as_str());
        let mut c = Compiler::new(self.res, scope, CodeKind::Function, qual);
        c.cur_span = span;
        c.stmts(&f.body)?;
        c.cur_span = f.body.last().map(|s| s.span).unwrap_or(span);
        c.return_none();
        let sc = &self.res.scopes[scope];
        let flavor = if sc.is_async && sc.is_generator {
            Flavor::AsyncGenerator
        } else if sc.is_async {
            Flavor::Coroutine
        } else if sc.is_generator {
            Flavor::Generator
        } else {
            Flavor::Plain
        };
        let sig = Signature {
            args: f.params.args.iter().map(|p| p.name).collect(),
            posonly: f.params.posonly,
            vararg: f.params.vararg.is_some(),
            kwonly: f.params.kwonly.iter().map(|p| p.name).collect(),
            kwarg: f.params.kwarg.is_some(),
        };
        let mut code = c.finish(f.name, flavor, sig, span)?;
        code.doc = docstring(&f.body);
        let code = Rc::new(code);
        let template = FnTemplate {
            code,
            ndefaults: defaults.len() as u16,
            kwdefaults: f.params.kwonly.iter().map(|p| p.default.is_some()).collect(),
            closure: self.closure_of(scope),
        };
        self.functions.push(template);
        let fi = (self.functions.len() - 1) as u32;
        self.cur_span = span;
        self.emit(Instr::MakeFunction { dst, f: fi, args });
        self.free_to(mark);
        Ok(())
    }

    /// `class`: the class object into `dst`.
    fn make_class(&mut self, cd: &'a Rc<ast::ClassDef>, dst: Reg) -> CResult<()> {
        let span = cd.span;
        let mark = self.next_reg;
        let bases = self.temps(cd.bases.len())?;
        for (i, b) in cd.bases.iter().enumerate() {
            self.expr_to(b, bases + i as Reg)?;
        }
        let Some(&scope) = self.res.by_node.get(&node_key(&**cd)) else {
            return Err(SyntaxError::internal("class scope", span));
        };
        let qual = self.child_qualname(cd.name.as_str());
        let mut c = Compiler::new(self.res, scope, CodeKind::Class, qual);
        c.cur_span = span;
        if let Some(d) = docstring(&cd.body) {
            let r = c.temp()?;
            c.load_const(Value::str(&d), r);
            c.store_name(sym::DOC, r);
            c.free_to(r);
        }
        // A body that annotates a name starts with an empty `__annotations__`, as CPython's
        // does (SETUP_ANNOTATIONS); each annotation adds its text (`Stmt::Annotated`).
        if annotates(&cd.body) {
            let r = c.temp()?;
            c.emit(Instr::BuildDict { dst: r, start: r, n: 0 });
            c.store_name(sym::ANNOTATIONS, r);
            c.free_to(r);
        }
        c.stmts(&cd.body)?;
        c.return_none();
        let code = Rc::new(c.finish(cd.name, Flavor::Plain, Signature::default(), span)?);
        self.classes.push(ClassTemplate {
            name: cd.name,
            nbases: cd.bases.len() as u16,
            code,
            closure: self.closure_of(scope),
        });
        let ci = (self.classes.len() - 1) as u32;
        self.cur_span = span;
        self.emit(Instr::MakeClass { dst, c: ci, bases });
        self.free_to(mark);
        Ok(())
    }

    /// A comprehension: a function of one parameter (the first iterable's iterator), called at
    /// once; a generator expression returns the generator.
    fn comprehension(
        &mut self,
        e: &'a ast::Expr,
        kind: CompKind,
        elts: &[&'a ast::Expr],
        gens: &'a [ast::Comprehension],
        dst: Reg,
    ) -> CResult<()> {
        let span = e.span;
        let mark = self.next_reg;
        let func = self.temp()?;
        let arg = self.temp()?;
        self.iterable_to(&gens[0].iter, arg)?;
        self.cur_span = span;
        if gens[0].is_async {
            self.emit(Instr::GetAIter { dst: arg, src: arg });
        } else {
            self.emit(Instr::GetIter { dst: arg, src: arg });
        }
        let Some(&scope) = self.res.by_node.get(&node_key(e)) else {
            return Err(SyntaxError::internal("comprehension scope", span));
        };
        let is_async = self.res.scopes[scope].is_async;
        let name = match kind {
            CompKind::List => "<listcomp>",
            CompKind::Set => "<setcomp>",
            CompKind::Dict => "<dictcomp>",
            CompKind::Gen => "<genexpr>",
        };
        let qual = self.child_qualname(name);
        let mut c = Compiler::new(self.res, scope, CodeKind::Comprehension, qual);
        c.cur_span = span;
        c.comprehension_body(kind, elts, gens, span, is_async)?;
        // An asynchronous comprehension is a coroutine awaited at once; an asynchronous
        // generator expression is an async generator.
        let flavor = match (kind == CompKind::Gen, is_async) {
            (true, false) => Flavor::Generator,
            (true, true) => Flavor::AsyncGenerator,
            (false, false) => Flavor::Plain,
            (false, true) => Flavor::Coroutine,
        };
        let sig = Signature { args: vec![Symbol::intern(".0")], ..Default::default() };
        let code = Rc::new(c.finish(Symbol::intern(name), flavor, sig, span)?);
        self.functions.push(FnTemplate {
            code,
            ndefaults: 0,
            kwdefaults: Vec::new(),
            closure: self.closure_of(scope),
        });
        let fi = (self.functions.len() - 1) as u32;
        self.emit(Instr::MakeFunction { dst: func, f: fi, args: func });
        self.emit(Instr::Call { dst, func, argc: 1 });
        if is_async && kind != CompKind::Gen {
            self.await_in_place(dst);
        }
        self.free_to(mark);
        Ok(())
    }

    fn comprehension_body(
        &mut self,
        kind: CompKind,
        elts: &[&'a ast::Expr],
        gens: &'a [ast::Comprehension],
        span: Span,
        is_async: bool,
    ) -> CResult<()> {
        let result = self.temp()?;
        match kind {
            CompKind::List => self.emit(Instr::BuildList { dst: result, start: result, n: 0 }),
            CompKind::Set => self.emit(Instr::BuildSet { dst: result, start: result, n: 0 }),
            CompKind::Dict => self.emit(Instr::BuildDict { dst: result, start: result, n: 0 }),
            CompKind::Gen => 0,
        };
        let mut loops: Vec<(u32, usize)> = Vec::new();
        for (i, g) in gens.iter().enumerate() {
            let iter = if i == 0 {
                0
            } else {
                let it = self.temp()?;
                self.iterable_to(&g.iter, it)?;
                self.cur_span = g.iter.span;
                if g.is_async {
                    self.emit(Instr::GetAIter { dst: it, src: it });
                } else {
                    self.emit(Instr::GetIter { dst: it, src: it });
                }
                it
            };
            let top = self.here();
            let item = self.temp()?;
            let fi = if g.is_async {
                self.async_next(iter, item)?
            } else {
                self.emit(Instr::ForIter { iter, dst: item, exit: 0 })
            };
            self.assign(&g.target, item)?;
            for cond in &g.ifs {
                let c = self.temp()?;
                self.expr_to(cond, c)?;
                self.emit(Instr::JumpIfFalse { cond: c, to: top });
                self.free_to(c);
            }
            loops.push((top, fi));
        }
        let mark = self.next_reg;
        match kind {
            CompKind::List | CompKind::Set | CompKind::Gen => {
                let v = self.temp()?;
                self.expr_to(elts[0], v)?;
                self.cur_span = span;
                match kind {
                    CompKind::List => self.emit(Instr::ListAppend { list: result, src: v }),
                    CompKind::Set => self.emit(Instr::SetAdd { set: result, src: v }),
                    _ => {
                        if is_async {
                            self.emit(Instr::AsyncGenWrap { dst: v, src: v });
                        }
                        let sent = self.temp()?;
                        self.emit(Instr::Yield { dst: sent, src: v })
                    }
                };
            }
            CompKind::Dict => {
                let k = self.temp()?;
                let v = self.temp()?;
                self.expr_to(elts[0], k)?;
                self.expr_to(elts[1], v)?;
                self.cur_span = span;
                self.emit(Instr::DictSet { dict: result, key: k, src: v });
            }
        }
        self.free_to(mark);
        for (top, fi) in loops.into_iter().rev() {
            self.emit(Instr::Jump { to: top });
            self.patch_here(fi);
        }
        if kind == CompKind::Gen {
            self.return_none();
        } else {
            self.emit(Instr::Return { src: result });
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CompKind {
    List,
    Set,
    Dict,
    Gen,
}

/// Whether a class body annotates a simple name (`x: int`), in any block of it but those of
/// the functions and classes it defines.
fn annotates(body: &[ast::Stmt]) -> bool {
    use ast::StmtKind as S;
    body.iter().any(|s| match &s.kind {
        S::Annotated(a) => a.simple,
        S::If(c) | S::While(c) => annotates(&c.body) || annotates(&c.orelse),
        S::For(l) | S::AsyncFor(l) => annotates(&l.body) || annotates(&l.orelse),
        S::Try(t) => {
            annotates(&t.body)
                || t.handlers.iter().any(|h| annotates(&h.body))
                || annotates(&t.orelse)
                || annotates(&t.finalbody)
        }
        S::With(_, b) | S::AsyncWith(_, b) => annotates(b),
        _ => false,
    })
}

/// The docstring of a body: the string its first statement is.
fn docstring(body: &[ast::Stmt]) -> Option<Rc<str>> {
    match body.first().map(|s| &s.kind) {
        Some(ast::StmtKind::Expr(ast::Expr { kind: ExprKind::Str(s), .. })) => Some(s.clone()),
        _ => None,
    }
}
