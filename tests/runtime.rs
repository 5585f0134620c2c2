//! Interpreter behaviour that the CPython comparison cannot show: diagnostics, limits, the
//! virtual clock, and exit statuses.

mod common;
use common::run;

#[test]
fn runtime_error_has_traceback_label_and_exit_1() {
    let r = run("def f(x):\n    return 10 // x\n\ndef g():\n    return f(0)\n\nprint('before')\ng()\nprint('after')\n");
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "before\n", "output printed before the error is flushed, nothing after");
    insta::assert_snapshot!(r.stderr);
}

#[test]
fn uncaught_user_exception_diagnostic() {
    let r = run("class Oops(Exception):\n    pass\n\ndef work():\n    raise Oops('it broke')\n\nwork()\n");
    assert_eq!(r.code, 1);
    insta::assert_snapshot!(r.stderr);
}

#[test]
fn deep_recursion_is_a_recursion_error_not_a_crash() {
    let r = run("def f(n):\n    return f(n + 1)\n\nf(0)\n");
    assert_eq!(r.code, 1, "stderr: {}", r.stderr);
    assert!(r.stderr.contains("RecursionError: maximum recursion depth exceeded"), "{}", r.stderr);
}

#[test]
fn recursion_through_generators_and_repr_is_bounded() {
    let gens = run("def g(n):\n    yield from g(n + 1)\n\nnext(g(0))\n");
    assert_eq!(gens.code, 1);
    assert!(gens.stderr.contains("RecursionError"), "{}", gens.stderr);
    let reprs = run("class A:\n    def __repr__(self):\n        return repr(self)\n\nprint(A())\n");
    assert_eq!(reprs.code, 1);
    assert!(reprs.stderr.contains("RecursionError"), "{}", reprs.stderr);
}

#[test]
fn catching_recursion_error_lets_the_program_go_on() {
    let r = run("def f(n):\n    return f(n + 1)\ntry:\n    f(0)\nexcept RecursionError as e:\n    print('caught', e)\nprint('still running')\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "caught maximum recursion depth exceeded\nstill running\n");
}

#[test]
fn virtual_time_sleeps_instantly_and_starts_at_zero() {
    let start = std::time::Instant::now();
    let r = run(
        "import time\nprint(time.time())\ntime.sleep(3600)\nprint(time.monotonic(), time.perf_counter())\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "0.0\n3600.0 3600.0\n");
    assert!(start.elapsed().as_secs() < 30, "a virtual hour must not take real time");
}

#[test]
fn real_clock_really_sleeps() {
    let start = std::time::Instant::now();
    let r = common::run_args(
        "import time\nt = time.time()\ntime.sleep(0.2)\nprint(time.time() - t >= 0.2)\n",
        &[],
    );
    assert_eq!(r.stdout, "True\n", "{}", r.stderr);
    assert!(start.elapsed().as_millis() >= 200);
}

#[test]
fn with_statement_calls_enter_and_exit() {
    let r = run(concat!(
        "class CM:\n",
        "    def __enter__(self):\n        print('enter')\n        return 42\n",
        "    def __exit__(self, t, v, tb):\n        print('exit', t.__name__ if t else None, v)\n        return t is KeyError\n",
        "with CM() as x:\n    print('body', x)\n",
        "with CM():\n    raise KeyError('swallowed')\n",
        "print('after')\n",
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "enter\nbody 42\nexit None None\nenter\nexit KeyError 'swallowed'\nafter\n");
}

#[test]
fn name_error_points_at_the_name() {
    let r = run("x = 1\nprint(x + undefined_name)\n");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("NameError: name 'undefined_name' is not defined"), "{}", r.stderr);
    assert!(r.stderr.contains("prog.ta:2:11"), "label at the name: {}", r.stderr);
}

/// Findings of an adversarial review: each of these crashed, hung or differed from CPython.
#[test]
fn review_findings_behave_like_cpython() {
    let cases: &[(&str, &str)] = &[
        ("print([] * 2**62, () * 2**62)\n", "[] ()\n"),
        ("print([1,2,3][::2**63-1], [1,2,3][::-2**63], 'abc'[::2**63-1])\n", "[1] [3] a\n"),
        ("print(range(-2**63, 2**63-1, 2**62)[3])\n", "4611686018427387904\n"),
        ("print(2**63-10 in range(-2**63, 2**63-1, 7), True in range(3), 2.0 in range(5))\n", "False True True\n"),
        ("class E:\n    def __eq__(self, o):\n        l.clear()\n        return True\nl = [1, 2, E()]\nl.remove(5)\nprint(l)\n", "[]\n"),
        ("print(round(12345, -2**63), round(10**20, -2), round(1.5, -1000))\n", "0 100000000000000000000 0.0\n"),
        ("g = iter([1, 2, 3, 4])\nprint(2 in g)\nprint(next(g))\n", "True\n3\n"),
        ("def gen():\n    yield 1\n    raise KeyError('boom')\nprint(1 in gen())\n", "True\n"),
        ("print((-1) ** (10**20), 1 ** (10**30), 0 ** (10**30))\n", "1 1 0\n"),
        ("print(2**53+1 > 2.0**53, 10**400 < float('inf'), 2**63 == 2.0**63)\n", "True True True\n"),
        ("x = float('nan')\nprint([x] == [x], [float('nan')] == [float('nan')])\n", "False False\n"),
        ("l = [1, 2, 3]\nfor x in reversed(l):\n    l.clear()\n    print(x)\n", "3\n"),
    ];
    for (src, want) in cases {
        let r = run(src);
        assert_eq!((r.code, r.stdout.as_str()), (0, *want), "{}\n{}", src, r.stderr);
    }
    for src in [
        "a = []\nb = []\nfor i in range(200000):\n    a = [a]\n    b = [b]\nprint(a == b)\n",
        "t = ()\nfor i in range(200000):\n    t = (t,)\nprint(hash(t))\n",
    ] {
        let r = run(src);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(r.stderr.contains("RecursionError"), "{}", r.stderr);
    }
    let r = run("print(len(range(-2**63, 2**63-1)))\n");
    assert!(r.stderr.contains("OverflowError"), "{}", r.stderr);
    let r = run("print(len('%.99999999999999999999999d' % 1))\n");
    assert!(r.stderr.contains("ValueError: precision too big"), "{}", r.stderr);
}

#[test]
fn a_stop_iteration_escaping_the_top_level_stays_a_stop_iteration() {
    // The top level runs as a coroutine (for top-level await), but PEP 479's conversion is for
    // generators and coroutines, not modules: python3 reports the StopIteration itself.
    let r = run("def g():\n    yield 1\n\nit = g()\nnext(it)\nnext(it)\n");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("StopIteration"), "{}", r.stderr);
    assert!(!r.stderr.contains("RuntimeError"), "{}", r.stderr);
    assert!(r.stderr.contains("line 6"), "{}", r.stderr);
}
