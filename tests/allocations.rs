//! What the scheduler allocates: a task switch (`yield` or `await sleep(0)`) allocates nothing,
//! measured with the counting allocator by running the same program with 1,000 and with 2,000
//! switches per task: the difference in allocations must not grow with the switches.

use tinyasync::diagnostics::Style;
use tinyasync::driver::{run_program, Source};
use tinyasync::interp::{Options, Output};

#[global_allocator]
static ALLOC: tinyasync::limits::Counting<std::alloc::System> =
    tinyasync::limits::Counting(std::alloc::System);

/// The counter is global: tests in this file must not allocate at the same time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn allocations_for(src: String) -> usize {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    tinyasync::driver::with_big_stack(move || {
        let src = Source { name: "alloc.ta".into(), text: src };
        let opts = Options { virtual_time: true, ..Default::default() };
        let before = tinyasync::limits::allocations();
        let (r, interp) = run_program(&src, opts, Output::Capture(Vec::new()), Style::plain());
        let after = tinyasync::limits::allocations();
        assert_eq!(r.status, 0, "{}", r.stderr);
        drop(interp);
        after - before
    })
}

fn per_switch(program: &str) -> f64 {
    let a = allocations_for(program.replace("N_SWITCHES", "1000"));
    let b = allocations_for(program.replace("N_SWITCHES", "2000"));
    // 10 tasks x 1,000 extra switches.
    (b as f64 - a as f64) / 10_000.0
}

#[test]
fn a_task_switch_allocates_nothing() {
    let yields = per_switch(
        "def t(n):\n    i = 0\n    while i < n:\n        i += 1\n        yield\nfor _ in range(10):\n    spawn(t(N_SWITCHES))\n",
    );
    let sleeps = per_switch(
        "async def t(n):\n    i = 0\n    while i < n:\n        i += 1\n        await sleep(0)\nfor _ in range(10):\n    spawn(t(N_SWITCHES))\n",
    );
    // At the bottom of an await chain 10 deep: the chain's frames move in one piece.
    let deep = per_switch(
        "async def leaf(n):\n    i = 0\n    while i < n:\n        i += 1\n        await sleep(0)\nasync def chain(d, n):\n    if d == 0:\n        await leaf(n)\n    else:\n        await chain(d - 1, n)\nfor _ in range(10):\n    spawn(chain(10, N_SWITCHES))\n",
    );
    // Deep and one-frame tasks in turn: the loop's stack goes into a deep task's coroutine
    // and comes back from the next one (a switch made inside the VM's loop keeps a stack).
    let mixed = per_switch(
        "async def leaf(n):\n    i = 0\n    while i < n:\n        i += 1\n        await sleep(0)\nasync def chain(d, n):\n    if d == 0:\n        await leaf(n)\n    else:\n        await chain(d - 1, n)\nfor _ in range(5):\n    spawn(chain(5, N_SWITCHES))\n    spawn(leaf(N_SWITCHES))\n",
    );
    assert!(mixed < 0.01, "deep and one-frame tasks in turn: {} allocations per switch", mixed);
    assert!(deep < 0.01, "await chain 10 deep: {} allocations per switch", deep);
    assert!(yields < 0.01, "bare yield: {} allocations per switch", yields);
    assert!(sleeps < 0.01, "await sleep(0): {} allocations per switch", sleeps);
}

#[test]
fn a_queue_hand_off_allocates_nothing() {
    let program = "async def prod(q, n):\n    for i in range(n):\n        await q.put(i)\nasync def cons(q, n):\n    for i in range(n):\n        await q.get()\nfor _ in range(10):\n    q = Queue(2)\n    spawn(prod(q, N_SWITCHES))\n    spawn(cons(q, N_SWITCHES))\n";
    let per_item = per_switch(program);
    assert!(per_item < 0.01, "{} allocations per item", per_item);
}

#[test]
fn a_spawn_allocates_a_bounded_number_of_objects() {
    let a = allocations_for("def t():\n    yield\nfor _ in range(1000):\n    spawn(t())\n".into());
    let b = allocations_for("def t():\n    yield\nfor _ in range(2000):\n    spawn(t())\n".into());
    let per_spawn = (b as f64 - a as f64) / 1000.0;
    // The task, its handle, the generator object, its frame and the frame's slots.
    assert!(per_spawn <= 6.0, "{} allocations per spawn", per_spawn);
    eprintln!("allocations per spawn: {}", per_spawn);
}

/// `for i in range(a)` and `for i in range(a, b)` over ints make no range object and no
/// iterator (`ForRange`): entering such a loop allocates nothing.
#[test]
fn a_for_over_range_allocates_nothing() {
    let loops = |n: usize| {
        allocations_for(format!(
            "def f(n):\n    t = 0\n    k = 0\n    while k < n:\n        k += 1\n        for i in range(3):\n            t += i\n        for i in range(k, k + 2):\n            t += i\n    return t\nprint(f({n}))\n"
        ))
    };
    // The first run in the process makes a few hundred one-time allocations.
    loops(10);
    let fewer = loops(1000);
    let per_loop = (loops(2000) as f64 - fewer as f64) / 2000.0;
    assert!(per_loop < 0.01, "{} allocations per loop entered", per_loop);
    // A `range` that is not the built-in one is called as any function.
    let shadowed = |n: usize| {
        allocations_for(format!(
            "def range(n):\n    return [0, 1]\nk = 0\nwhile k < {n}:\n    k += 1\n    for i in range(3):\n        pass\n"
        ))
    };
    let fewer = shadowed(1000);
    let per_loop = (shadowed(2000) as f64 - fewer as f64) / 1000.0;
    assert!(per_loop >= 2.0, "{} allocations per loop over a list", per_loop);
}

/// Bytes still allocated after the program ran (the interpreter kept alive).
fn retained_for(src: String) -> isize {
    retained_after(src, 0)
}

/// The same for a program that ends with exit status `status`.
fn retained_after(src: String, status: i32) -> isize {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    tinyasync::driver::with_big_stack(move || {
        let src = Source { name: "alloc.ta".into(), text: src };
        let opts = Options { virtual_time: true, ..Default::default() };
        let before = tinyasync::limits::live_bytes() as isize;
        let (r, interp) = run_program(&src, opts, Output::Capture(Vec::new()), Style::plain());
        let after = tinyasync::limits::live_bytes() as isize;
        assert_eq!(r.status, status, "{}", r.stderr);
        drop(interp);
        after - before
    })
}

#[test]
fn an_abandoned_suspended_generator_is_freed() {
    // Left suspended by `break` out of a `for`, by a `next()` whose generator is then dropped,
    // and by a `for` over a generator that delegates (`yield from`) to another.
    let program = "def g():\n    yield 1\n    yield 2\ndef outer():\n    yield from g()\nfor i in range(N):\n    for x in g():\n        break\n    it = g()\n    next(it)\n    for x in outer():\n        break\nprint('done')\n";
    let a = retained_for(program.replace("N", "2000"));
    let b = retained_for(program.replace("N", "12000"));
    let per = (b - a) as f64 / 10_000.0;
    assert!(per < 8.0, "{} bytes retained per round of abandoned generators", per);
}

/// Bytes a task holds while it waits (an `Event` that is never set: the run ends in a
/// deadlock report, with the tasks still there to count), per task, from 1,000 and 11,000
/// such tasks. Its parts: the task, its coroutine and frame, its entry in the wait list; the
/// handle the program dropped and the request it awaits are not kept (issue 18 asks for 200
/// bytes; 870 before the task was slimmed).
#[test]
fn a_waiting_task_holds_under_500_bytes() {
    // Exit status 3: the deadlock report.
    let retained_by_blocked = |n: usize| {
        let text = format!("e = Event()\nasync def t():\n    await e.wait()\nfor _ in range({n}):\n    spawn(t())\nawait sleep(0)\n");
        retained_after(text, 3)
    };
    let per = (retained_by_blocked(11_000) - retained_by_blocked(1_000)) as f64 / 10_000.0;
    eprintln!("bytes per waiting task: {}", per);
    assert!(per < 500.0, "{} bytes per waiting task", per);
}
