//! `--timeline` (issue 15, point 1): the chart drawn after the run for every example that
//! uses a scheduler, on the virtual clock, without colour, 80 columns (stderr is a pipe here).
//! Each snapshot was read against the example's `--trace`: a `▮` where the task ran, its
//! state between, how it ended in the column after its last step.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_tinyasync");

fn chart(args: &[&str], file: &str) -> (String, String) {
    let out = Command::new(BIN)
        .args(args)
        .arg(file)
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("tinyasync runs");
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn timeline_of_each_scheduler_example() {
    let mut names: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples"))
        .expect("examples/")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".ta"))
        .collect();
    names.sort();
    let mut charted = 0;
    for name in names {
        let path = format!("examples/{name}");
        let text = std::fs::read_to_string(&path).expect("example");
        if !["spawn(", "await ", "call_soon", "call_later"].iter().any(|k| text.contains(k)) {
            continue;
        }
        let (_, with) = chart(&["run", "--virtual-time", "--timeline"], &path);
        let (_, without) = chart(&["run", "--virtual-time"], &path);
        // The chart is all that the flag adds, and it comes before any report of a failure.
        assert!(with.ends_with(&without), "{name}: the report after the chart changed");
        let drawn = &with[..with.len() - without.len()];
        assert!(drawn.lines().any(|l| l.starts_with("main ")), "{name}: no row for main:\n{drawn}");
        insta::assert_snapshot!(format!("timeline_{}", name.trim_end_matches(".ta")), drawn);
        if name == "cancellation.ta" {
            let readme =
                std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
            assert!(
                readme.contains(drawn),
                "README's chart of cancellation.ta is not what the run draws:\n{drawn}"
            );
        }
        charted += 1;
    }
    assert!(charted >= 12, "only {charted} examples charted");
}

/// Nothing is recorded or drawn without the flag, and the program's own output is the same.
#[test]
fn no_chart_without_the_flag_and_the_same_output_with_it() {
    let (out_with, _) = chart(&["run", "--virtual-time", "--timeline"], "examples/sleepers.ta");
    let (out_without, err_without) = chart(&["run", "--virtual-time"], "examples/sleepers.ta");
    assert_eq!(out_with, out_without);
    assert_eq!(err_without, "");
}

/// Many tasks are grouped by function: one row for 100,000 workers.
#[test]
fn many_tasks_are_grouped_by_function() {
    let (_, err) = chart(&["run", "--virtual-time", "--timeline"], "examples/many_tasks.ta");
    assert!(err.lines().any(|l| l.starts_with("worker ×100000 ")), "{err}");
    assert!(err.lines().count() < 10, "{err}");
}

/// `tinyasync FILE` takes the flag too; colour only when asked for by a terminal.
#[test]
fn the_flag_works_in_the_short_form() {
    let (_, err) = chart(&["--virtual-time", "--timeline"], "examples/sleepers.ta");
    assert!(err.contains("▮ running"), "{err}");
    assert!(!err.contains('\x1b'), "{err}");
}

/// `--trace-json OUT` (issue 15, point 3): Chrome's trace-event format, one track per task; the
/// fast sleeper of sleepers.ta runs at 0, 0.5, 1, 1.5 and 2 s (in microseconds), as its trace
/// says. python3, where present, also checks that the file is JSON a trace viewer can load.
#[test]
fn trace_json_has_a_track_per_task_and_a_slice_per_step() {
    let out = std::env::temp_dir().join(format!("tinyasync-trace-{}.json", std::process::id()));
    let (stdout, stderr) = chart(
        &["run", "--virtual-time", "--trace-json", out.to_str().expect("utf-8 path")],
        "examples/sleepers.ta",
    );
    assert!(stdout.contains("main: done"), "{stdout}");
    assert_eq!(stderr, "", "the trace goes to the file only");
    let json = std::fs::read_to_string(&out).expect("the trace file");
    let _ = std::fs::remove_file(&out);
    assert!(json.starts_with("{\"traceEvents\":["), "{json}");
    for (tid, name) in [(1, "main"), (2, "fast"), (3, "medium"), (4, "slow")] {
        let track = format!(r#""name":"thread_name","pid":1,"tid":{tid},"args":{{"name":"{name}"}}"#);
        assert!(json.contains(&track), "no track for {name}");
    }
    let fast_runs: Vec<&str> = json
        .lines()
        .filter(|l| l.contains(r#""name":"running","cat":"task","pid":1,"tid":2,"#))
        .map(|l| l.split(r#""ts":"#).nth(1).and_then(|r| r.split(',').next()).unwrap_or(""))
        .collect();
    assert_eq!(fast_runs, ["0", "500000", "1000000", "1500000", "2000000"]);
    assert_eq!(json.matches(r#""ph":"i","s":"t","name":"finished""#).count(), 4);
    let check = "import json,sys; d=json.load(sys.stdin); assert all('ph' in e for e in d['traceEvents'])";
    match Command::new("python3").args(["-c", check]).stdin(std::process::Stdio::piped()).spawn() {
        Ok(mut child) => {
            use std::io::Write;
            child.stdin.take().expect("stdin").write_all(json.as_bytes()).expect("write");
            assert!(child.wait().expect("python3 runs").success(), "python3 could not load the trace");
        }
        Err(_) => eprintln!("python3 is not there: the JSON was checked by its text only"),
    }
}

/// A getter handed an item that its putter, cancelled before running, takes back waits again:
/// its row goes back to `≡` (it stayed "ready" before), as the deadlock report says.
#[test]
fn a_getter_whose_item_is_taken_back_waits_again_in_the_chart() {
    let dir = std::env::temp_dir().join(format!("tinyasync-tl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("takeback.ta");
    std::fs::write(&file, TAKE_BACK).expect("write");
    let (_, err) = chart(&["run", "--virtual-time", "--timeline"], file.to_str().expect("utf-8"));
    let _ = std::fs::remove_dir_all(&dir);
    let row = err.lines().find(|l| l.starts_with("getter ")).unwrap_or_default();
    assert!(row.trim_end().ends_with('≡'), "{err}");
    assert!(err.contains("task 'getter' waits: get from Queue#1"), "{err}");
}

const TAKE_BACK: &str = "\
q = Queue(maxsize=1)
async def getter():
    x = await q.get()
async def putter():
    await q.put('a')
    await q.put('b')
async def g1():
    x = await q.get()
    p.cancel()
    await sleep(1)
g = spawn(g1())
g2 = spawn(getter())
await sleep(0)
p = spawn(putter())
await sleep(2)
q.put_nowait('c') if False else None
";

/// Issue 15, point 2: `--timeline-html` writes one page that needs nothing else, opened here
/// in a real headless browser (Debian's chromium; `.ci/run` installs it when missing). The
/// page checks itself when opened as `#selftest`: it hovers and clicks the first step bar and
/// writes back how many lanes, bars and output ticks it drew and what the tooltip said. The
/// page's data carries what each bar's start was about (the line of an await, why a task woke).
#[test]
fn timeline_html_opens_in_a_real_browser_with_lanes_and_a_tooltip() {
    let browser = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| Command::new(b).arg("--version").output().is_ok_and(|o| o.status.success()));
    let Some(browser) = browser else {
        assert!(std::env::var_os("CI").is_none(), "CI needs chromium: .ci/run installs it");
        eprintln!("no chromium on PATH: the browser test is skipped (.ci/run installs it)");
        return;
    };
    let dir = std::env::temp_dir().join(format!("tinyasync-html-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let page = dir.join("timeline.html");
    let (stdout, stderr) = chart(
        &["run", "--virtual-time", "--timeline-html", page.to_str().expect("utf-8")],
        "examples/producer_consumer.ta",
    );
    assert_eq!(stderr, "", "the page goes to its file only");
    let html = std::fs::read_to_string(&page).expect("the page");
    assert!(html.contains(r#""put to Queue#1 at line 20""#), "the line of an await");
    assert!(html.contains(r#""woken ← room in Queue#1 made by fast at line 28""#), "why a task woke");
    // Self-contained: nothing is fetched.
    for fetch in ["src=\"http", "href=\"http", "<link", "@import", "<script src"] {
        assert!(!html.contains(fetch), "the page fetches something: {fetch}");
    }
    let url = format!("file://{}#selftest", page.display());
    let out = Command::new("timeout")
        .args(["120", browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", &url])
        .output()
        .expect("the browser runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    let body = dom.split("<body").nth(1).and_then(|b| b.split('>').next()).unwrap_or_default();
    assert!(body.contains(r#"data-lanes="5""#), "five tasks, five lanes: {body}");
    // The tooltip says what the bar was, and what its start was about.
    assert!(body.contains("data-tip=\"main: running from 0 s to 0 s\nstarts\""), "{body}");
    assert!(body.contains(r#"data-tip-shown="block""#), "{body}");
    let printed = stdout.lines().count();
    assert!(
        body.contains(&format!(r#"data-outputs="{printed}""#)),
        "an output tick per line printed: {body}"
    );
    // And it draws: a screenshot is a real PNG of some size.
    let shot = dir.join("timeline.png");
    let status = Command::new("timeout")
        .args(["120", browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"])
        .arg(format!("--screenshot={}", shot.display()))
        .args(["--window-size=1100,330", &format!("file://{}", page.display())])
        .output()
        .expect("the browser runs");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let png = std::fs::read(&shot).expect("the screenshot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{} bytes", png.len());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--trace=json` (the issue's spelling): the trace events go beside the program,
/// `prog.ta` → `prog.trace.json`, and stderr says where.
#[test]
fn trace_equals_json_writes_beside_the_program() {
    let dir = std::env::temp_dir().join(format!("tinyasync-tj-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let prog = dir.join("sleepers.ta");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sleepers.ta"), &prog).expect("copy");
    let (_, stderr) = chart(&["run", "--virtual-time", "--trace=json"], prog.to_str().expect("utf-8"));
    let written = dir.join("sleepers.trace.json");
    assert!(stderr.contains(&format!("the trace is in {}", written.display())), "{stderr}");
    let json = std::fs::read_to_string(&written).expect("the trace beside the program");
    assert!(json.starts_with("{\"traceEvents\":["), "{json}");
    assert!(json.contains(r#""args":{"name":"fast"}"#), "{json}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Colours follow the usual conventions (as diagnostics do): forced with CLICOLOR_FORCE, and
/// never with NO_COLOR.
#[test]
fn chart_colours_follow_no_color() {
    let run = |vars: &[(&str, &str)]| {
        let mut cmd = Command::new(BIN);
        cmd.args(["run", "--virtual-time", "--timeline", "examples/sleepers.ta"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("NO_COLOR");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        String::from_utf8_lossy(&cmd.output().expect("runs").stderr).into_owned()
    };
    let forced = run(&[("CLICOLOR_FORCE", "1")]);
    assert!(forced.contains("\x1b[32m▮\x1b[0m"), "{forced}");
    let plain = run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!plain.contains('\x1b') && plain.contains('▮'), "{plain}");
}
