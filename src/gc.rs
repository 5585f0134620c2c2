//! The cycle collector. Reference counting frees a value the moment the last reference to it
//! goes, which is CPython's timing (a generator abandoned by `break` is closed at once, `__del__`
//! runs where the object is dropped); what it cannot free is a cycle — an object whose
//! attribute is its own bound method, a list that contains itself, a closure that calls itself.
//! This module finds such cycles the way CPython's `gc` does, by trial deletion:
//!
//! 1. Instances, lists, dicts, deques and functions are *tracked* when made (a weak reference
//!    in a registry, so tracking keeps nothing alive; its dead entries are pruned as it grows).
//!    Generators and coroutines are walked but not tracked (a million spawned tasks would
//!    each be one more entry to check): a cycle through a generator and one of these is found,
//!    one through generators alone (a generator sent itself) is not; nor one through an
//!    exception the interpreter raised (`{}[1]`'s KeyError: see `new_exception`). User-defined
//!    classes are tracked too (a class and its methods are a cycle: `super()` needs it).
//! 2. A collection starts from the tracked objects still alive and walks what they hold —
//!    through tuples, bound methods, functions, closure cells, generators' frames, deques,
//!    classes' namespaces (not an instance's class: its instances keep a class alive) — to
//!    the graph of containers they reach.
//! 3. For each container, its strong count minus the references found inside the graph is what
//!    holds it from outside (a register, a global, the scheduler, native code). Containers held
//!    from outside, and everything they reach, are alive.
//! 4. The rest is garbage: only the graph holds it. Its contents are taken out (attributes,
//!    items, cells), which breaks every cycle, and reference counting frees the rest.
//!
//! Whatever the walk cannot see (an instance's class, a task, an iterator, a container that
//! native code is using at that moment) counts as a reference from outside, so the collector
//! only ever errs towards keeping a value. Garbage that needs finalizing — an instance whose
//! class has `__del__`, a suspended generator (closing it runs its `finally`) — is finalized
//! first, whole, at the interpreter's next safe point (PEP 442), and freed by a later collection.
//!
//! A collection runs at a step of the VM (`Interp::step_slow`) once the registry has grown by
//! twice as many objects as survived the last collection (at least `MIN_THRESHOLD`, and more
//! when the walk was long), so its cost is proportional to the allocations that paid for it,
//! and garbage cycles take at most about twice the memory of the live data.

use crate::dict::Dict;
use crate::frame::Frames;
use crate::value::*;
use hashbrown::HashMap;
use std::cell::RefCell;
use std::rc::{Rc, Weak};

/// The fewest tracked allocations between two collections, by default.
const MIN_THRESHOLD: usize = 10_000;

enum Tracked {
    Instance(Weak<Instance>),
    List(Weak<RefCell<Vec<Value>>>),
    Dict(Weak<RefCell<Dict>>),
    /// A deque.
    Native(Weak<Native>),
    Function(Weak<Function>),
    /// A class made by a `class` statement or `type()` (its methods hold it: `super()`).
    Class(Weak<Class>),
}

impl Tracked {
    /// The object as a value, while it is alive.
    fn upgrade(&self) -> Option<Value> {
        Some(match self {
            Tracked::Instance(w) => Value::Instance(w.upgrade()?),
            Tracked::List(w) => Value::List(w.upgrade()?),
            Tracked::Dict(w) => Value::Dict(w.upgrade()?),
            Tracked::Native(w) => Value::Native(w.upgrade()?),
            Tracked::Function(w) => Value::Func(w.upgrade()?),
            Tracked::Class(w) => Value::Class(w.upgrade()?),
        })
    }

    /// Still alive (a dead entry keeps only its allocation, until pruned).
    fn alive(&self) -> bool {
        match self {
            Tracked::Instance(w) => w.strong_count() > 0,
            Tracked::List(w) => w.strong_count() > 0,
            Tracked::Dict(w) => w.strong_count() > 0,
            Tracked::Native(w) => w.strong_count() > 0,
            Tracked::Function(w) => w.strong_count() > 0,
            Tracked::Class(w) => w.strong_count() > 0,
        }
    }
}

struct Registry {
    tracked: Vec<Tracked>,
    /// Collect when `tracked` is this long.
    threshold: usize,
    /// Prune the dead entries when `tracked` is this long (between collections, and while
    /// collecting is disabled): a dead entry's `Weak` keeps its object's allocation.
    prune_at: usize,
    /// The fewest tracked allocations between two collections.
    min_threshold: usize,
    enabled: bool,
    /// Collections so far, and the containers they freed (for `gc.get_count`-like reports).
    collections: u64,
    freed: u64,
}

thread_local! {
    static REGISTRY: RefCell<Registry> = const {
        RefCell::new(Registry {
            tracked: Vec::new(),
            threshold: MIN_THRESHOLD,
            prune_at: MIN_THRESHOLD,
            min_threshold: MIN_THRESHOLD,
            enabled: true,
            collections: 0,
            freed: 0,
        })
    };
}

#[inline]
fn track(t: Tracked) {
    let _ = REGISTRY.try_with(|r| {
        if let Ok(mut r) = r.try_borrow_mut() {
            r.tracked.push(t);
        }
    });
}

/// Tracks a new instance.
#[inline]
pub fn track_instance(i: &Rc<Instance>) {
    track(Tracked::Instance(Rc::downgrade(i)));
}

/// Tracks a new list.
#[inline]
pub fn track_list(l: &Rc<RefCell<Vec<Value>>>) {
    track(Tracked::List(Rc::downgrade(l)));
}

/// Tracks a new dict.
#[inline]
pub fn track_dict(d: &Rc<RefCell<Dict>>) {
    track(Tracked::Dict(Rc::downgrade(d)));
}

/// Tracks a new function (a closure's cells, its attributes and defaults can hold it).
#[inline]
pub fn track_function(f: &Rc<Function>) {
    track(Tracked::Function(Rc::downgrade(f)));
}

/// Tracks a new class (user-defined: the built-in ones live as long as the thread).
#[inline]
pub fn track_class(c: &Rc<Class>) {
    track(Tracked::Class(Rc::downgrade(c)));
}

/// Tracks a new deque.
#[inline]
pub fn track_native(n: &Rc<Native>) {
    track(Tracked::Native(Rc::downgrade(n)));
}

/// Enough has been allocated since the last collection for the next one, or for pruning the
/// registry (see `maintain`).
#[inline]
pub fn due() -> bool {
    REGISTRY
        .try_with(|r| {
            r.try_borrow().is_ok_and(|r| {
                let n = r.tracked.len();
                (r.enabled && n >= r.threshold) || n >= r.prune_at
            })
        })
        .unwrap_or(false)
}

/// What `due` asked for: a collection (returns the containers found unreachable), or, when
/// only the registry needs it or collecting is disabled, dropping its dead entries.
pub fn maintain() -> usize {
    let collect_now = REGISTRY
        .try_with(|r| r.try_borrow().is_ok_and(|r| r.enabled && r.tracked.len() >= r.threshold))
        .unwrap_or(false);
    if collect_now {
        return collect();
    }
    let _ = REGISTRY.try_with(|r| {
        if let Ok(mut r) = r.try_borrow_mut() {
            r.tracked.retain(Tracked::alive);
            let live = r.tracked.len();
            r.prune_at = prune_point(live, r.min_threshold);
        }
    });
    0
}

/// Where the next pruning is due with `live` entries: after half as many again, so that dead
/// entries hold at most about half the live objects' memory and pruning costs a few
/// instructions per allocation.
fn prune_point(live: usize, min: usize) -> usize {
    live.saturating_add(min.max(live / 2))
}

/// Collect after `n` tracked allocations at least (`Options::gc_threshold`).
pub fn set_min_threshold(n: usize) {
    let _ = REGISTRY.try_with(|r| {
        if let Ok(mut r) = r.try_borrow_mut() {
            r.min_threshold = n.max(1);
            r.threshold = r.tracked.len().saturating_add(n.max(1));
            r.prune_at = prune_point(r.tracked.len(), r.min_threshold);
        }
    });
}

/// `gc.enable()` / `gc.disable()`; returns whether collection was enabled.
pub fn set_enabled(on: bool) -> bool {
    REGISTRY.with(|r| std::mem::replace(&mut r.borrow_mut().enabled, on))
}

/// `gc.isenabled()`.
pub fn enabled() -> bool {
    REGISTRY.with(|r| r.borrow().enabled)
}

/// The number of collections run and of containers they freed.
pub fn stats() -> (u64, u64) {
    REGISTRY.with(|r| {
        let r = r.borrow();
        (r.collections, r.freed)
    })
}

/// A container in the graph, held by a reference of the collector's own while it runs.
enum Node {
    V(Value),
    Cell(Rc<RefCell<Value>>),
}

/// A reference found inside a container.
#[derive(Clone, Copy)]
enum Child<'a> {
    V(&'a Value),
    Cell(&'a Rc<RefCell<Value>>),
    Func(&'a Rc<Function>),
    Class(&'a Rc<Class>),
}

/// The identity of a value the walk goes into, or None for one it does not (numbers, strings,
/// classes, modules, iterators, tasks...: what they hold counts as held from outside).
fn container(v: &Value) -> Option<usize> {
    Some(match v {
        Value::List(l) => Rc::as_ptr(l) as *const () as usize,
        Value::Tuple(t) => Rc::as_ptr(t) as *const () as usize,
        Value::Dict(d) | Value::Set(d) => Rc::as_ptr(d) as *const () as usize,
        Value::Method(m) => Rc::as_ptr(m) as *const () as usize,
        Value::Func(f) => Rc::as_ptr(f) as *const () as usize,
        Value::Instance(i) => Rc::as_ptr(i) as *const () as usize,
        Value::Gen(g) => Rc::as_ptr(g) as *const () as usize,
        Value::Native(n) if is_native_container(n) => Rc::as_ptr(n) as *const () as usize,
        Value::Class(c) if c.tag == TypeTag::User => Rc::as_ptr(c) as *const () as usize,
        _ => return None,
    })
}

/// The native objects the walk goes into: deques, and the wrappers of functions found in
/// class namespaces (`staticmethod`, `classmethod`, `property`).
fn is_native_container(n: &Native) -> bool {
    matches!(
        n,
        Native::Deque { .. }
            | Native::StaticMethod(_)
            | Native::ClassMethod(_)
            | Native::Property { .. }
            | Native::CoroWrapper(_)
    )
}

impl Node {
    fn strong(&self) -> usize {
        match self {
            Node::Cell(c) => Rc::strong_count(c),
            Node::V(v) => match v {
                Value::List(l) => Rc::strong_count(l),
                Value::Tuple(t) => Rc::strong_count(t),
                Value::Dict(d) | Value::Set(d) => Rc::strong_count(d),
                Value::Method(m) => Rc::strong_count(m),
                Value::Func(f) => Rc::strong_count(f),
                Value::Instance(i) => Rc::strong_count(i),
                Value::Gen(g) => Rc::strong_count(g),
                Value::Native(n) => Rc::strong_count(n),
                Value::Class(c) => Rc::strong_count(c),
                _ => usize::MAX,
            },
        }
    }

    /// Calls `f` on every reference the container holds that the walk follows (see
    /// `children`).
    #[inline]
    fn children(&self, f: impl FnMut(Child)) -> bool {
        match self {
            Node::V(v) => children(v, f),
            Node::Cell(c) => cell_children(c, f),
        }
    }

    /// Garbage that must be finalized first: an instance whose `__del__` has not run, a
    /// suspended generator (closing it runs its `finally`).
    fn needs_finalizing(&self) -> bool {
        match self {
            Node::V(v) => needs_finalizing(v),
            Node::Cell(_) => false,
        }
    }

    /// Takes out what the garbage container holds, into `trash`.
    fn clear(&self, trash: &mut Trash) {
        match self {
            Node::Cell(c) => {
                if let Ok(mut v) = c.try_borrow_mut() {
                    trash.values.push(std::mem::replace(&mut *v, Value::Unbound));
                }
            }
            Node::V(Value::List(l)) => {
                if let Ok(mut items) = l.try_borrow_mut() {
                    trash.values.append(&mut items);
                }
            }
            Node::V(Value::Dict(d) | Value::Set(d)) => {
                if let Ok(mut d) = d.try_borrow_mut() {
                    trash.dicts.push(std::mem::take(&mut *d));
                }
            }
            Node::V(Value::Instance(i)) => {
                if let Ok(mut attrs) = i.attrs.try_borrow_mut() {
                    trash.maps.push(std::mem::take(&mut *attrs));
                }
            }
            Node::V(Value::Func(func)) => {
                if let Ok(mut attrs) = func.attrs.try_borrow_mut() {
                    trash.maps.push(std::mem::take(&mut *attrs));
                }
            }
            Node::V(Value::Gen(g)) => {
                trash.frames.push(g.vm.take());
            }
            Node::V(Value::Native(n)) => {
                if let Native::Deque { items, .. } = &**n {
                    if let Ok(mut items) = items.try_borrow_mut() {
                        trash.values.extend(items.drain(..));
                    }
                }
            }
            Node::V(Value::Class(c)) => {
                if let Ok(mut dict) = c.dict.try_borrow_mut() {
                    trash.maps.push(std::mem::take(&mut *dict));
                }
            }
            // Tuples and bound methods cannot change: the cycles through them are broken at the
            // mutable containers they pass through.
            Node::V(_) => {}
        }
    }
}

/// An instance whose `__del__` has not run, or a suspended generator (closing it runs its
/// `finally`).
fn needs_finalizing(v: &Value) -> bool {
    match v {
        Value::Instance(i) => {
            i.has_finalizer() && !DEL_RAN.with(|d| d.borrow().contains(&(Rc::as_ptr(i) as usize)))
        }
        Value::Gen(g) => g.state.get() == GenState::Suspended && !g.is_coroutine,
        _ => false,
    }
}

/// What was taken out of garbage containers, dropped once every cycle is open.
#[derive(Default)]
struct Trash {
    values: Vec<Value>,
    dicts: Vec<Dict>,
    maps: Vec<crate::symmap::SymMap>,
    frames: Vec<Frames>,
}

/// Calls `f` on every reference the container `v` holds that the walk follows. False when the
/// container is in use (borrowed for writing by native code up the stack): it is then treated
/// as held from outside.
fn children(v: &Value, mut f: impl FnMut(Child)) -> bool {
    match v {
        Value::List(l) => {
            let Ok(items) = l.try_borrow() else { return false };
            items.iter().for_each(|x| f(Child::V(x)));
        }
        Value::Tuple(t) => t.iter().for_each(|x| f(Child::V(x))),
        Value::Dict(d) | Value::Set(d) => {
            let Ok(d) = d.try_borrow() else { return false };
            for e in d.iter() {
                f(Child::V(&e.key));
                f(Child::V(&e.value));
            }
        }
        Value::Method(m) => {
            f(Child::V(&m.0));
            f(Child::V(&m.1));
        }
        Value::Func(func) => return func_children(func, f),
        Value::Instance(i) => {
            let Ok(attrs) = i.attrs.try_borrow() else { return false };
            attrs.values().for_each(|x| f(Child::V(x)));
            if let Some(b) = &i.base {
                f(Child::V(b));
            }
        }
        Value::Gen(g) => {
            // SAFETY: the walk reads the graph (the visitor counts and marks, and may look at
            // this generator's frames again, as when it holds itself); it changes no frames.
            unsafe { g.vm.peek(|frames| frames_children(frames, f)) };
        }
        Value::Native(n) => match &**n {
            Native::Deque { items, .. } => {
                let Ok(items) = items.try_borrow() else { return false };
                items.iter().for_each(|x| f(Child::V(x)));
            }
            Native::StaticMethod(x) | Native::ClassMethod(x) | Native::CoroWrapper(x) => f(Child::V(x)),
            Native::Property { fget, fset, fdel, doc, .. } => {
                [fget, fset, fdel, doc].into_iter().for_each(|x| f(Child::V(x)));
            }
            _ => {}
        },
        Value::Class(c) => return class_children(c, f),
        _ => {}
    }
    true
}

/// A user-defined class's namespace and its user-defined bases (an instance's class is not
/// followed: a class stays alive while it has instances, which keeps the walk of instances
/// short; the cycles a class is on run through its methods, which hold it for `super()`).
fn class_children(c: &Class, mut f: impl FnMut(Child)) -> bool {
    if c.tag != TypeTag::User {
        return true;
    }
    for b in c.bases.iter().chain(&c.mro) {
        if b.tag == TypeTag::User {
            f(Child::Class(b));
        }
    }
    let Ok(dict) = c.dict.try_borrow() else { return false };
    dict.values().for_each(|x| f(Child::V(x)));
    true
}

fn cell_children(c: &Rc<RefCell<Value>>, mut f: impl FnMut(Child)) -> bool {
    let Ok(v) = c.try_borrow() else { return false };
    f(Child::V(&v));
    true
}

/// A container that holds no container cannot be on a cycle: the walk leaves it out (most
/// objects are such leaves — a point of two numbers, a list of strings — and leaving them out
/// keeps a collection's cost to the containers that could form cycles). One in use is not
/// a leaf: it must count as held from outside.
fn is_leaf(c: Child) -> bool {
    let plain = |v: &Value| container(v).is_none();
    match c {
        // The common cases, without the general walk.
        Child::V(Value::Instance(i)) => {
            i.base.is_none() && i.attrs.try_borrow().is_ok_and(|a| a.values().all(plain))
        }
        Child::V(Value::List(l)) => l.try_borrow().is_ok_and(|items| items.iter().all(plain)),
        Child::V(Value::Tuple(t)) => t.iter().all(plain),
        _ => {
            let mut leaf = true;
            let see = |c: Child| leaf &= matches!(c, Child::V(v) if plain(v));
            let ok = match c {
                Child::V(v) => children(v, see),
                Child::Cell(c) => cell_children(c, see),
                Child::Func(f) => func_children(f, see),
                Child::Class(c) => class_children(c, see),
            };
            ok && leaf
        }
    }
}

fn func_children(func: &Function, mut f: impl FnMut(Child)) -> bool {
    func.defaults.iter().for_each(|x| f(Child::V(x)));
    func.kwdefaults.iter().flatten().for_each(|x| f(Child::V(x)));
    func.closure.iter().for_each(|c| f(Child::Cell(c)));
    let Ok(owner) = func.owner.try_borrow() else { return false };
    if let Some(c) = owner.as_ref().filter(|c| c.tag == TypeTag::User) {
        f(Child::Class(c));
    }
    let Ok(attrs) = func.attrs.try_borrow() else { return false };
    attrs.values().for_each(|x| f(Child::V(x)));
    true
}

fn frames_children(frames: &Frames, mut f: impl FnMut(Child)) {
    for fr in frames.iter() {
        fr.regs.iter().for_each(|x| f(Child::V(x)));
        fr.cells.iter().for_each(|c| f(Child::Cell(c)));
        if let Some(func) = &fr.func {
            f(Child::Func(func));
        }
    }
}

/// The containers reachable from the tracked objects, and the references among them.
#[derive(Default)]
struct Graph {
    nodes: Vec<Node>,
    index: HashMap<usize, u32>,
    /// The children of node `i` are `edges[first[i]..first[i + 1]]`.
    edges: Vec<u32>,
    first: Vec<u32>,
    /// References to each node found inside the graph.
    inside: Vec<u32>,
    /// Containers that could not be looked into.
    opaque: Vec<bool>,
}

impl Graph {
    fn node(&mut self, id: usize, make: impl FnOnce() -> Node) -> u32 {
        if let Some(&i) = self.index.get(&id) {
            return i;
        }
        let i = self.nodes.len() as u32;
        self.nodes.push(make());
        self.inside.push(0);
        self.index.insert(id, i);
        i
    }

    /// Walks from the nodes added so far to everything they reach, counting references.
    fn walk(&mut self) -> usize {
        let mut i = 0;
        let mut work = 0;
        let mut new = Vec::new();
        while i < self.nodes.len() {
            self.first.push(self.edges.len() as u32);
            let next = self.nodes.len() as u32;
            let Graph { nodes, index, edges, inside, .. } = self;
            let ok = nodes[i].children(|c| {
                work += 1;
                let id = match c {
                    Child::V(v) => match container(v) {
                        Some(id) => id,
                        None => return,
                    },
                    Child::Cell(c) => Rc::as_ptr(c) as *const () as usize,
                    Child::Func(func) => Rc::as_ptr(func) as *const () as usize,
                    Child::Class(c) => Rc::as_ptr(c) as *const () as usize,
                };
                // A leaf is never a node: most children are leaves, and this spares their lookup.
                if is_leaf(c) {
                    return;
                }
                let j = match index.get(&id) {
                    Some(&j) => j,
                    None => {
                        let j = next + new.len() as u32;
                        index.insert(id, j);
                        inside.push(0);
                        new.push(match c {
                            Child::V(v) => Node::V(v.clone()),
                            Child::Cell(c) => Node::Cell(c.clone()),
                            Child::Func(func) => Node::V(Value::Func(func.clone())),
                            Child::Class(c) => Node::V(Value::Class(c.clone())),
                        });
                        j
                    }
                };
                inside[j as usize] += 1;
                edges.push(j);
            });
            self.opaque.push(!ok);
            self.nodes.append(&mut new);
            i += 1;
        }
        self.first.push(self.edges.len() as u32);
        work
    }
}

/// At the program's end (`finalize_held_only_by`): the leaves that need finalizing — an
/// instance with `__del__` holding no container, which the graph leaves out — and that only
/// the garbage (or `held`) holds, counted as the graph counts its nodes, are finalized with it:
/// `x = [A()]`, `K.inst = A()`.
fn finalize_leaves(g: &Graph, alive: &[bool], held: &[&Value]) {
    // In the order first met (the globals', then the graph's: allocation order), so that
    // finalizers run in the same order at every run.
    let mut index: HashMap<usize, usize> = HashMap::new();
    let mut leaves: Vec<(usize, Value)> = Vec::new();
    let mut count = |v: &Value| {
        if let Some(id) = container(v) {
            if needs_finalizing(v) && is_leaf(Child::V(v)) {
                let i = *index.entry(id).or_insert_with(|| {
                    leaves.push((0, v.clone()));
                    leaves.len() - 1
                });
                leaves[i].0 += 1;
            }
        }
    };
    held.iter().for_each(|v| count(v));
    for (node, _) in g.nodes.iter().zip(alive).filter(|(_, a)| !**a) {
        node.children(|c| {
            if let Child::V(v) = c {
                count(v)
            }
        });
    }
    for (n, v) in leaves {
        // Each reference counted, and this list's own.
        if Node::V(v.clone()).strong() == n + 2 {
            schedule_finalizer(v);
        }
    }
}

/// Runs a collection now; returns the number of containers found unreachable.
pub fn collect() -> usize {
    run(&[], true)
}

/// At the program's end, after the objects only the globals hold were finalized: finalizes
/// (schedules the finalizers of) what is reachable only from `globals`, cycles included, as
/// CPython's collection at shutdown finalizes the main module's objects with the module
/// itself; clears nothing, so every finalizer sees everything as it was.
pub fn finalize_held_only_by(globals: &crate::symmap::SymMap) {
    let held: Vec<&Value> = globals.values().collect();
    run(&held, false);
}

/// A collection in which the references in `held` (borrowed, not cloned: each is one strong
/// reference its owner holds) count as inside the graph; `clear`: free the garbage (else only
/// schedule its finalizers).
fn run(held: &[&Value], clear: bool) -> usize {
    let Ok(tracked) = REGISTRY.try_with(|r| r.try_borrow_mut().map(|mut r| std::mem::take(&mut r.tracked)))
    else {
        return 0;
    };
    let Ok(tracked) = tracked else { return 0 };
    let mut g = Graph::default();
    let mut kept = Vec::with_capacity(tracked.len() / 2);
    for t in tracked {
        let Some(node) = t.upgrade() else { continue };
        // (Every tracked kind is a container: deques among natives, user classes.)
        if let Some(id) = container(&node).filter(|_| !is_leaf(Child::V(&node))) {
            g.node(id, || Node::V(node));
        }
        kept.push(t);
    }
    for &v in held {
        if let Some(id) = container(v) {
            if !is_leaf(Child::V(v)) {
                let i = g.node(id, || Node::V(v.clone()));
                g.inside[i as usize] += 1;
            }
        }
    }
    let work = g.walk();

    // Held from outside: more strong references than the collector's own and the graph's.
    let n = g.nodes.len();
    let mut alive = vec![false; n];
    let mut stack: Vec<u32> = (0..n as u32)
        .filter(|&i| {
            let i = i as usize;
            g.opaque[i] || g.nodes[i].strong() > 1 + g.inside[i] as usize
        })
        .collect();
    mark(&g, &mut alive, &mut stack);
    if !clear {
        finalize_leaves(&g, &alive, held);
    }
    // Garbage that needs finalizing is kept this time, with what it reaches, and finalized at
    // the interpreter's next safe point, as when its last reference goes (PEP 442's order:
    // finalizers first, on whole objects). A later collection frees it, unless a finalizer
    // stored it somewhere.
    stack.extend((0..n as u32).filter(|&i| !alive[i as usize] && g.nodes[i as usize].needs_finalizing()));
    for &i in &stack {
        if let Node::V(v) = &g.nodes[i as usize] {
            schedule_finalizer(v.clone());
        }
    }
    let alive_before = alive.iter().filter(|a| **a).count();
    mark(&g, &mut alive, &mut stack);
    // Kept only to be finalized: not survivors when the next collection is scheduled (else a
    // loop making such garbage would triple the threshold at every collection).
    let finalizing = alive.iter().filter(|a| **a).count() - alive_before;

    let mut trash = Trash::default();
    let mut garbage = 0;
    for (node, _) in g.nodes.iter().zip(&alive).filter(|(_, a)| !**a) {
        if clear {
            node.clear(&mut trash);
        }
        garbage += 1;
    }
    // Dropping what was taken out breaks the cycles; dropping the collector's own references
    // then frees the containers.
    drop(trash);
    drop(g);

    let _ = REGISTRY.try_with(|r| {
        if let Ok(mut r) = r.try_borrow_mut() {
            kept.retain(Tracked::alive);
            let survivors = kept.len().saturating_sub(finalizing);
            // Tracked while the collection ran (a finalizer scheduled, nothing else): keep them.
            kept.append(&mut r.tracked);
            r.tracked = kept;
            // A small `min_threshold` (tests, the fuzzer: a stress mode) collects again after
            // that many allocations or as many as survived, whichever is more: often while the
            // heap is small, yet a collection's walk stays a constant cost per allocation.
            r.threshold = if r.min_threshold < 1024 {
                survivors.saturating_add(r.min_threshold.max(survivors))
            } else {
                survivors.saturating_add(r.min_threshold.max(2 * survivors).max(work / 16))
            };
            r.prune_at = prune_point(survivors, r.min_threshold);
            r.collections += 1;
            r.freed += garbage as u64;
        }
    });
    garbage
}

fn mark(g: &Graph, alive: &mut [bool], stack: &mut Vec<u32>) {
    while let Some(i) = stack.pop() {
        let i = i as usize;
        if alive[i] {
            continue;
        }
        alive[i] = true;
        let (a, b) = (g.first[i] as usize, g.first[i + 1] as usize);
        stack.extend(g.edges[a..b].iter().copied().filter(|&j| !alive[j as usize]));
    }
}
