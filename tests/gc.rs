//! The cycle collector (src/gc.rs) keeps memory bounded when a program makes reference cycles;
//! what it must collect, and what it must keep, is checked against CPython by
//! tests/compat/gc_cycles.ta.

mod common;
use common::run_args;

/// Objects that each hold their own bound method, made in a loop: each is a cycle that
/// reference counting alone never frees. Under an 8 MB limit the loop must finish; with the
/// collector turned off the same loop must hit the limit (so the test can fail).
const CYCLES: &str = "
import gc
import sys
if sys.argv[1:] == ['off']:
    gc.disable()

class Node:
    def __init__(self, n):
        self.n = n
        self.handler = self.on_event

    def on_event(self):
        return self.n

total = 0
for i in range(200_000):
    total += Node(i).handler()
print(total, gc.isenabled())
";

#[test]
fn self_referencing_objects_run_in_bounded_memory() {
    let on = run_args(CYCLES, &["--max-memory", "8"]);
    assert_eq!((on.code, on.stdout.as_str()), (0, "19999900000 True\n"), "{}", on.stderr);
}

#[test]
fn without_the_collector_the_same_loop_runs_out_of_memory() {
    let path = common::temp_program(CYCLES);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tinyasync"))
        .args(["--max-memory", "8"])
        .arg(&path)
        .arg("off")
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("the memory limit (8 MB, --max-memory) was reached"), "{stderr}");
}

/// Collections run in the middle of the scheduler's work too: tasks whose locals form cycles,
/// a queue handing cycles over, and the blocked and sleeping tasks' frames all survive
/// collections intact.
#[test]
fn collections_during_scheduling_keep_what_tasks_hold() {
    let src = "
import gc
class Node:
    def __init__(self, n):
        self.n = n
        self.me = self

q = Queue(maxsize=4)

async def producer():
    for i in range(30_000):
        await q.put(Node(i))
    await q.put(None)

async def consumer(out):
    mine = Node(-1)
    while True:
        item = await q.get()
        if item is None:
            break
        out.append(item.me.n)
        if item.n % 1000 == 0:
            gc.collect()
    out.append(mine.me.n)

out = []
spawn(producer())
await spawn(consumer(out)).join()
print(len(out), sum(out))
";
    let r = run_args(src, &["--virtual-time", "--max-memory", "16"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "30001 449984999\n"), "{}", r.stderr);
}

/// Cycles through functions, closure cells, `**kwargs` dicts and exceptions a program raises
/// are found too (not through a generator alone, one sent itself, nor an exception the
/// interpreter raised: see src/gc.rs):
/// each loop makes 100,000 of them under a 16 MB limit.
#[test]
fn cycles_through_closures_function_attributes_kwargs_and_exceptions_are_collected() {
    let src = "
def outer():
    def f(n):
        return f(n - 1) if n else 0
    return f
for i in range(100_000):
    outer()(2)
for i in range(100_000):
    def h():
        pass
    h.me = h
def kw(**k):
    k['me'] = k
for i in range(100_000):
    kw(a=1)
for i in range(100_000):
    try:
        raise KeyError(i)
    except KeyError as e:
        e.me = e
print('ok')
";
    let r = run_args(src, &["--max-memory", "16"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "ok\n"), "{}", r.stderr);
}

/// With collecting disabled, objects that die still give their memory back: the registry's
/// weak references are pruned as it grows (each kept its object's allocation).
#[test]
fn with_the_collector_disabled_dead_objects_free_their_memory() {
    let src = "
import gc
gc.disable()
for i in range(300_000):
    x = [i]
print(gc.isenabled())
";
    let r = run_args(src, &["--max-memory", "16"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "False\n"), "{}", r.stderr);
}

/// A class and its methods are a cycle (a method holds its class for `super()`): classes made
/// in a loop, with methods, properties, static and class methods and a subclass, are freed
/// (100,000 of them under a 16 MB limit), and the class of a live instance is kept.
#[test]
fn classes_made_in_a_loop_are_collected() {
    let src = "
import gc
def make(i):
    class Base:
        def get(self):
            return i
    class C(Base):
        def get(self):
            return super().get() + 1
        @property
        def p(self):
            return self.get()
        @staticmethod
        def s():
            return 0
        @classmethod
        def c(cls):
            return cls
    return C
total = 0
for i in range(100_000):
    total += make(i)().p
kept = make(41)()
del make
gc.collect()
print(total, kept.p, type(kept).__name__, type(kept).__mro__[1].__name__)
";
    let r = run_args(src, &["--max-memory", "16"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "5000050000 42 C Base\n"), "{}", r.stderr);
}
