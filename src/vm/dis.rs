//! `tinyasync dis`: each function's instructions with their source lines, every suspension point
//! marked — where a coroutine can stop and other tasks run.

use crate::bytecode::{Bytecode, Instr, NO_REG};
use crate::code::Code;

/// The disassembly of a module and, after it, of every function, class body and comprehension
/// it contains, in the order they appear.
pub fn disassemble(code: &Code, source: &str) -> String {
    let mut out = String::new();
    let mut queue = vec![(code, "module")];
    while let Some((c, kind)) = queue.pop() {
        let bc = &c.bc;
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("{} ({}):\n", c.qualname, kind));
        let mut last_line = 0;
        for (i, instr) in bc.instrs.iter().enumerate() {
            let line = bc
                .spans
                .get(i)
                .map(|s| crate::diagnostics::line_col(source, s.start as usize).0)
                .unwrap_or(0);
            let line_col = if line != last_line { format!("{:>4}", line) } else { "    ".to_string() };
            last_line = line;
            let mark = if Bytecode::is_suspension(instr) { "    <-- may suspend here" } else { "" };
            out.push_str(&format!("{} {:>4}  {}{}\n", line_col, i, show(instr, bc, c), mark));
        }
        for h in &bc.handlers {
            out.push_str(&format!("     handler: {}..{} -> {}\n", h.start, h.end, h.target));
        }
        let mut nested: Vec<(&Code, &str)> = bc
            .functions
            .iter()
            .map(|f| (&*f.code, flavor(&f.code)))
            .chain(bc.classes.iter().map(|k| (&*k.code, "class body")))
            .collect();
        nested.reverse();
        queue.extend(nested);
    }
    out
}

fn flavor(c: &Code) -> &'static str {
    match c.flavor {
        crate::code::Flavor::Plain => "function",
        crate::code::Flavor::Generator => "generator",
        crate::code::Flavor::Coroutine => "coroutine",
        crate::code::Flavor::AsyncGenerator => "async generator",
    }
}

fn r(c: &Code, reg: u16) -> String {
    if reg == NO_REG {
        return "-".into();
    }
    match c.slot_names.get(reg as usize) {
        Some(n) if !n.as_str().starts_with('.') => format!("r{}({})", reg, n),
        _ => format!("r{}", reg),
    }
}

fn show(i: &Instr, bc: &Bytecode, c: &Code) -> String {
    let name = |n: u32| bc.names.get(n as usize).map(|s| s.as_str().to_string()).unwrap_or_default();
    let konst = |k: u32| bc.consts.get(k as usize).map(|v| format!("{:?}", v)).unwrap_or_default();
    use Instr::*;
    match *i {
        Step { .. } | Tick => "Step".into(),
        LoadConst { dst, k } => format!("LoadConst {} <- {}", r(c, dst), konst(k)),
        Move { dst, src } => format!("Move {} <- {}", r(c, dst), r(c, src)),
        LoadLocal { dst, src } => format!("LoadLocal {} <- {}", r(c, dst), r(c, src)),
        DelLocal { reg } => format!("DelLocal {}", r(c, reg)),
        LoadCell { dst, cell } => format!("LoadCell {} <- cell {}", r(c, dst), cell),
        StoreCell { cell, src } => format!("StoreCell cell {} <- {}", cell, r(c, src)),
        DelCell { cell } => format!("DelCell cell {}", cell),
        LoadGlobal { dst, name: n } => format!("LoadGlobal {} <- {}", r(c, dst), name(n)),
        StoreGlobal { name: n, src } => format!("StoreGlobal {} <- {}", name(n), r(c, src)),
        DelGlobal { name: n } => format!("DelGlobal {}", name(n)),
        LoadClassNs { dst, name: n } => format!("LoadClassNs {} <- {}", r(c, dst), name(n)),
        StoreClassNs { name: n, src } => format!("StoreClassNs {} <- {}", name(n), r(c, src)),
        DelClassNs { name: n } => format!("DelClassNs {}", name(n)),
        Bin { op, dst, a, b } => format!("Bin {} <- {} {} {}", r(c, dst), r(c, a), op.symbol(), r(c, b)),
        InplaceK { op, dst, a, k } => format!("Inplace {} <- {} {}= {}", r(c, dst), r(c, a), op.symbol(), k),
        Inplace { op, dst, a, b } => {
            format!("Inplace {} <- {} {}= {}", r(c, dst), r(c, a), op.symbol(), r(c, b))
        }
        Unary { op, dst, a } => format!("Unary {} <- {:?} {}", r(c, dst), op, r(c, a)),
        Compare { op, dst, a, b } => {
            format!("Compare {} <- {} {} {}", r(c, dst), r(c, a), op.symbol(), r(c, b))
        }
        Truth { dst, a } => format!("Truth {} <- {}", r(c, dst), r(c, a)),
        BuildTuple { dst, start, n } => format!("BuildTuple {} <- {}..+{}", r(c, dst), r(c, start), n),
        BuildList { dst, start, n } => format!("BuildList {} <- {}..+{}", r(c, dst), r(c, start), n),
        BuildSet { dst, start, n } => format!("BuildSet {} <- {}..+{}", r(c, dst), r(c, start), n),
        SetConst { dst, k, frozen } => {
            format!("SetConst {} <- {}{}", r(c, dst), konst(k), if frozen { " (frozenset)" } else { "" })
        }
        BuildDict { dst, start, n } => format!("BuildDict {} <- {}..+{} pairs", r(c, dst), r(c, start), n),
        ListAppend { list, src } => format!("ListAppend {} <- {}", r(c, list), r(c, src)),
        ListExtend { list, src } => format!("ListExtend {} <- *{}", r(c, list), r(c, src)),
        SetAdd { set, src } => format!("SetAdd {} <- {}", r(c, set), r(c, src)),
        SetUpdate { set, src } => format!("SetUpdate {} <- *{}", r(c, set), r(c, src)),
        DictSet { dict, key, src } => format!("DictSet {}[{}] <- {}", r(c, dict), r(c, key), r(c, src)),
        DictUpdate { dict, src } => format!("DictUpdate {} <- **{}", r(c, dict), r(c, src)),
        StarArgs { list, src, func } => {
            format!("StarArgs {} <- *{} for {}", r(c, list), r(c, src), r(c, func))
        }
        StarKwargs { dict, src, func } => {
            format!("StarKwargs {} <- **{} for {}", r(c, dict), r(c, src), r(c, func))
        }
        ListToTuple { dst, src } => format!("ListToTuple {} <- {}", r(c, dst), r(c, src)),
        BuildSlice { dst, start } => format!("BuildSlice {} <- {}..+3", r(c, dst), r(c, start)),
        Format { dst, src, conv, spec } => {
            format!(
                "Format {} <- {} conv={} spec={}",
                r(c, dst),
                r(c, src),
                if conv == 0 { '-' } else { conv as char },
                r(c, spec)
            )
        }
        Concat { dst, start, n } => format!("Concat {} <- {}..+{}", r(c, dst), r(c, start), n),
        Unpack { src, start, n, star } => format!(
            "Unpack {}..+{} <- {} star={}",
            r(c, start),
            n,
            r(c, src),
            if star == NO_REG { "-".to_string() } else { star.to_string() }
        ),
        GetAttr { dst, obj, name: n } => format!("GetAttr {} <- {}.{}", r(c, dst), r(c, obj), name(n)),
        SetAttr { obj, name: n, src } => format!("SetAttr {}.{} <- {}", r(c, obj), name(n), r(c, src)),
        DelAttr { obj, name: n } => format!("DelAttr {}.{}", r(c, obj), name(n)),
        GetItem { dst, obj, idx } => format!("GetItem {} <- {}[{}]", r(c, dst), r(c, obj), r(c, idx)),
        SetItem { obj, idx, src } => format!("SetItem {}[{}] <- {}", r(c, obj), r(c, idx), r(c, src)),
        DelItem { obj, idx } => format!("DelItem {}[{}]", r(c, obj), r(c, idx)),
        LoadMethod { dst, obj, name: n } => {
            format!("LoadMethod {}, {} <- {}.{}", r(c, dst), r(c, dst + 1), r(c, obj), name(n))
        }
        CallMethod { dst, func, argc, name: n } => {
            format!("CallMethod {} <- {}.{}({} args)", r(c, dst), r(c, func + 1), name(n), argc)
        }
        BinK { op, dst, a, k } => format!("Bin {} <- {} {} {}", r(c, dst), r(c, a), op.symbol(), k),
        CompareK { op, dst, a, k } => format!("Compare {} <- {} {} {}", r(c, dst), r(c, a), op.symbol(), k),
        Call { dst, func, argc } => format!("Call {} <- {}({} args)", r(c, dst), r(c, func), argc),
        AwaitCall { dst, func, argc } => format!("AwaitCall {} <- {}({} args)", r(c, dst), r(c, func), argc),
        CallKw { dst, func, argc, kw, names } => {
            format!("CallKw {} <- {}({} args, {} keywords {})", r(c, dst), r(c, func), argc, kw, konst(names))
        }
        CallEx { dst, func, args, kwargs } => {
            format!("CallEx {} <- {}(*{}, **{})", r(c, dst), r(c, func), r(c, args), r(c, kwargs))
        }
        Jump { to } => format!("Jump -> {}", to),
        JumpIfFalse { cond, to } => format!("JumpIfFalse {} -> {}", r(c, cond), to),
        JumpIfTrue { cond, to } => format!("JumpIfTrue {} -> {}", r(c, cond), to),
        JumpUnless { op, a, b, to } => {
            format!("JumpUnless {} {} {} -> {}", r(c, a), op.symbol(), r(c, b), to)
        }
        JumpUnlessK { op, a, k, to } => format!("JumpUnless {} {} {} -> {}", r(c, a), op.symbol(), k, to),
        GetIter { dst, src } => format!("GetIter {} <- iter({})", r(c, dst), r(c, src)),
        ForRange { func, argc, to } => {
            format!("ForRange {}({} args) -> {}", r(c, func), argc, to)
        }
        ForIter { iter, dst, exit } => {
            format!("ForIter {} <- next({}) else -> {}", r(c, dst), r(c, iter), exit)
        }
        Return { src } => format!("Return {}", r(c, src)),
        Yield { dst, src } => format!("Yield {} -> sent into {}", r(c, src), r(c, dst)),
        YieldNone { dst } => format!("Yield None -> sent into {}", r(c, dst)),
        GetYieldFromIter { dst, src } => format!("GetYieldFromIter {} <- {}", r(c, dst), r(c, src)),
        GetAwaitable { dst, src } => format!("GetAwaitable {} <- {}", r(c, dst), r(c, src)),
        YieldFrom { dst, iter } => format!("YieldFrom {} <- {}", r(c, dst), r(c, iter)),
        Raise { exc, cause } => format!("Raise {} from {}", r(c, exc), r(c, cause)),
        Reraise => "Reraise".into(),
        ReraiseNone => "ReraiseNone".into(),
        LoadExc { dst } => format!("LoadExc {}", r(c, dst)),
        ExcMatch { dst, typ } => format!("ExcMatch {} <- handled is {}", r(c, dst), r(c, typ)),
        PopExc => "PopExc".into(),
        WithEnter { dst, exit, mgr, aw: false } => {
            format!("WithEnter {} <- {}.__enter__(), exit {}", r(c, dst), r(c, mgr), r(c, exit))
        }
        WithEnter { dst, exit, mgr, aw: true } => {
            format!("WithEnter {} <- {}.__aenter__(), exit {}", r(c, dst), r(c, mgr), r(c, exit))
        }
        WithExit { exit, dst } if dst == NO_REG => format!("WithExit {}", r(c, exit)),
        WithExit { exit, dst } => format!("WithExit {} <- {}.__aexit__()", r(c, dst), r(c, exit)),
        WithExitExc { dst, exit, aw: false } => {
            format!("WithExitExc {} <- {}.__exit__(handled)", r(c, dst), r(c, exit))
        }
        WithExitExc { dst, exit, aw: true } => {
            format!("WithExitExc {} <- {}.__aexit__(handled)", r(c, dst), r(c, exit))
        }
        DropIter { reg } => format!("DropIter {}", r(c, reg)),
        LoadOwnerClass { dst } => format!("LoadOwnerClass {}", r(c, dst)),
        Locals { dst, names: false } => format!("Locals {}", r(c, dst)),
        Locals { dst, names: true } => format!("Locals {} (dir)", r(c, dst)),
        GetAIter { dst, src } => format!("GetAIter {} <- {}", r(c, dst), r(c, src)),
        GetANext { dst, src } => format!("GetANext {} <- {}", r(c, dst), r(c, src)),
        AsyncGenWrap { dst, src } => format!("AsyncGenWrap {} <- {}", r(c, dst), r(c, src)),
        MakeFunction { dst, f, args } => {
            let q = bc.functions.get(f as usize).map(|t| t.code.qualname.to_string()).unwrap_or_default();
            let n = bc
                .functions
                .get(f as usize)
                .map_or(0, |t| t.ndefaults as usize + t.kwdefaults.iter().filter(|d| **d).count());
            if n == 0 {
                format!("MakeFunction {} <- {}", r(c, dst), q)
            } else {
                format!("MakeFunction {} <- {} defaults {}..+{}", r(c, dst), q, r(c, args), n)
            }
        }
        MakeClass { dst, c: k, bases } => {
            let q = bc.classes.get(k as usize).map(|t| t.code.qualname.to_string()).unwrap_or_default();
            let n = bc.classes.get(k as usize).map_or(0, |t| t.nbases);
            if n == 0 {
                format!("MakeClass {} <- {}", r(c, dst), q)
            } else {
                format!("MakeClass {} <- {} bases {}..+{}", r(c, dst), q, r(c, bases), n)
            }
        }
        Import { dst, name: n, full } => {
            format!("Import {} <- {}{}", r(c, dst), name(n), if full { "" } else { " (top)" })
        }
        ImportFrom { dst, module, name: n } => {
            format!("ImportFrom {} <- {}.{}", r(c, dst), r(c, module), name(n))
        }
        Echo { src } => format!("Echo {}", r(c, src)),
        ImportStar { module } => format!("ImportStar {}.*", r(c, module)),
        Super { dst } => format!("Super {}", r(c, dst)),
        AssertFail { msg } => format!("AssertFail {}", r(c, msg)),
    }
}
