//! The tutorial (docs/tutorial/) says only what is true: every code block in it is checked.
//!
//! - ```` ```python examples/tutorial/NAME.ta ````: a whole program, the file's text exactly;
//! - ```` ```python ````: an excerpt, lines found together in one of the chapter's programs;
//! - ```` ```console ````: `$ tinyasync ARGS`, then what that prints (stdout, then stderr) and
//!   `(exit status N)` when it is not 0. A run gets `--virtual-time` when it lacks it: the
//!   output is the same, only the waiting is skipped;
//! - ```` ```pycon ````: a REPL transcript, replayed through the piped REPL.
//!
//! Chapters 1–7 are Python programs too: `python3` must print what tinyasync prints.
//! Chapters 8–10 draw their timelines; each of their programs has its HTML timeline in
//! docs/tutorial/timelines/, which must be what the program draws now.
//!
//! `TUTORIAL_UPDATE=1 cargo test --test tutorial` rewrites the console blocks' output and the
//! HTML timelines from what the programs print (REPL transcripts are checked, not rewritten), so that charts cannot drift: review
//! the diff like code.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn updating() -> bool {
    std::env::var_os("TUTORIAL_UPDATE").is_some_and(|v| v == "1")
}

/// A fenced block: its info string, its lines, and the line range it occupies in the file
/// (the lines between the fences).
struct Block {
    info: String,
    lines: Vec<String>,
    /// Index of the first line inside the fences, and one past the last.
    body: (usize, usize),
}

fn blocks(markdown: &str) -> Vec<Block> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if let Some(info) = lines[i].strip_prefix("```") {
            let start = i + 1;
            let mut end = start;
            while end < lines.len() && lines[end] != "```" {
                end += 1;
            }
            assert!(end < lines.len(), "a code block opened at line {} is never closed", i + 1);
            out.push(Block {
                info: info.trim().to_string(),
                lines: lines[start..end].iter().map(|l| l.to_string()).collect(),
                body: (start, end),
            });
            i = end + 1;
        } else {
            i += 1;
        }
    }
    out
}

struct Chapter {
    number: usize,
    path: PathBuf,
    text: String,
}

fn chapters() -> Vec<Chapter> {
    let dir = root().join("docs/tutorial");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("docs/tutorial exists") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("a name").to_string_lossy().into_owned();
        let Some((num, _)) = name.split_once('-') else { continue };
        let Ok(number) = num.parse::<usize>() else { continue };
        if name.ends_with(".md") {
            let text = std::fs::read_to_string(&path).expect("readable chapter");
            out.push(Chapter { number, path, text });
        }
    }
    out.sort_by_key(|c| c.number);
    out
}

struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

fn run(args: &[String], stdin: Option<&str>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tinyasync"));
    cmd.args(args).current_dir(root()).env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the binary runs");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("piped stdin");
        pipe.write_all(input.as_bytes()).expect("write stdin");
    }
    let out = child.wait_with_output().expect("the binary finishes");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// The arguments a console block's `$ tinyasync ...` line stands for, as run by the test.
fn console_args(command: &str) -> Vec<String> {
    let rest = command
        .strip_prefix("$ tinyasync")
        .unwrap_or_else(|| panic!("a console block starts with `$ tinyasync`, not {command:?}"));
    let mut args: Vec<String> = rest.split_whitespace().map(String::from).collect();
    let is_run = !matches!(args.first().map(String::as_str), Some("dis" | "check" | "parse" | "repl"));
    if is_run && !args.iter().any(|a| a == "--virtual-time") {
        args.insert(0, "--virtual-time".into());
    }
    args
}

/// What a console block shows for a run: its output lines, and the exit status line.
fn shown(run: &Run) -> Vec<String> {
    let mut lines: Vec<String> = run.stdout.lines().chain(run.stderr.lines()).map(String::from).collect();
    if run.code != 0 {
        lines.push(format!("(exit status {})", run.code));
    }
    lines
}

/// The inputs of a REPL transcript (fed to the piped REPL) and the output it shows.
fn transcript(lines: &[String]) -> (String, Vec<String>) {
    let mut input = String::new();
    let mut output = Vec::new();
    for line in lines {
        if let Some(code) = line.strip_prefix(">>> ").or_else(|| line.strip_prefix("... ")) {
            input.push_str(code);
            input.push('\n');
        } else if line == "..." || line == ">>>" {
            input.push('\n');
        } else {
            output.push(line.clone());
        }
    }
    (input, output)
}

/// The program paths of a chapter's whole-program blocks.
fn programs(blocks: &[Block]) -> Vec<String> {
    blocks.iter().filter_map(|b| b.info.strip_prefix("python ").map(|p| p.trim().to_string())).collect()
}

/// Replaces the bodies of blocks (in reverse order, so earlier line numbers stay right).
fn rewrite(text: &str, mut edits: Vec<((usize, usize), Vec<String>)>) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0 .0));
    for ((start, end), body) in edits {
        lines.splice(start..end, body);
    }
    lines.join("\n") + "\n"
}

fn contains_run(haystack: &[String], needle: &[String]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn every_code_block_of_the_tutorial_prints_what_it_shows() {
    let chapters = chapters();
    let numbers: Vec<usize> = chapters.iter().map(|c| c.number).collect();
    assert_eq!(numbers, (1..=10).collect::<Vec<_>>(), "the tutorial has chapters 1 to 10, once each");
    let mut failures = Vec::new();
    let mut checked = 0;
    for chapter in &chapters {
        let name = chapter.path.file_name().expect("a name").to_string_lossy().into_owned();
        let blocks = blocks(&chapter.text);
        let programs = programs(&blocks);
        assert!(!programs.is_empty(), "{name} shows no whole program");
        let sources: Vec<Vec<String>> = programs
            .iter()
            .map(|p| {
                let text =
                    std::fs::read_to_string(root().join(p)).unwrap_or_else(|e| panic!("{name}: {p}: {e}"));
                text.lines().map(String::from).collect()
            })
            .collect();
        let mut edits = Vec::new();
        for block in &blocks {
            checked += 1;
            let at = format!("{name}:{}", block.body.0);
            match block.info.as_str() {
                info if info.starts_with("python ") => {
                    let path = info["python ".len()..].trim();
                    let file = std::fs::read_to_string(root().join(path)).expect("read program");
                    let body = block.lines.join("\n") + "\n";
                    if file != body {
                        failures.push(format!("{at}: the block is not {path} as it is on disk"));
                    }
                }
                "python" => {
                    if !sources.iter().any(|s| contains_run(s, &block.lines)) {
                        failures.push(format!(
                            "{at}: the excerpt is not found, line for line, in {}",
                            programs.join(" or ")
                        ));
                    }
                }
                "console" => {
                    let (command, want) = block.lines.split_first().expect("a console block has a command");
                    let got = shown(&run(&console_args(command), None));
                    if &got[..] != want {
                        if updating() {
                            let mut body = vec![command.clone()];
                            body.extend(got);
                            edits.push(((block.body.0, block.body.1), body));
                        } else {
                            failures.push(format!(
                                "{at}: `{command}` printed\n{}\n--- but the chapter shows\n{}",
                                got.join("\n"),
                                want.join("\n")
                            ));
                        }
                    }
                }
                "pycon" => {
                    let (input, want) = transcript(&block.lines);
                    let out = run(&["repl".to_string()], Some(&input));
                    let got: Vec<String> = out.stdout.lines().map(String::from).collect();
                    if got != want || out.code != 0 {
                        failures.push(format!(
                            "{at}: the REPL printed (exit status {})\n{}{}\n--- but the chapter shows\n{}",
                            out.code,
                            out.stdout,
                            out.stderr,
                            want.join("\n")
                        ));
                    }
                }
                other => failures.push(format!(
                    "{at}: a code block must be `python FILE`, `python`, `console` or `pycon`, not {other:?}"
                )),
            }
        }
        if !edits.is_empty() {
            std::fs::write(&chapter.path, rewrite(&chapter.text, edits)).expect("rewrite chapter");
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} code blocks are wrong:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Chapters 1–7 build everything by hand in the common subset of Python and tinyasync.
#[test]
fn chapters_one_to_seven_print_what_python3_prints() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 is not on PATH: the comparison with CPython is skipped");
        return;
    }
    let mut paths = Vec::new();
    for chapter in chapters().iter().filter(|c| c.number <= 7) {
        paths.extend(programs(&blocks(&chapter.text)));
    }
    assert!(paths.len() >= 7, "chapters 1-7 show only {} programs", paths.len());
    // CPython really sleeps: run its programs side by side.
    let handles: Vec<_> = paths
        .iter()
        .map(|p| {
            let p = p.clone();
            std::thread::spawn(move || {
                let out = Command::new("python3")
                    .arg(&p)
                    .current_dir(root())
                    .stdin(Stdio::null())
                    .output()
                    .expect("python3 runs");
                (p, String::from_utf8_lossy(&out.stdout).into_owned(), out.status.code())
            })
        })
        .collect();
    let mut failures = Vec::new();
    for handle in handles {
        let (path, py_out, py_code) = handle.join().expect("the python3 thread");
        let ours = run(&["--virtual-time".to_string(), path.clone()], None);
        if ours.stdout != py_out || Some(ours.code) != py_code {
            failures.push(format!(
                "{path}: python3 (exit {py_code:?}) printed\n{py_out}--- tinyasync (exit {}) printed\n{}{}",
                ours.code, ours.stdout, ours.stderr
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Chapters 8–10 show each of their programs' terminal timeline (a `--timeline` run) and link
/// its HTML timeline, which is the page the program draws now.
#[test]
fn chapters_eight_to_ten_show_and_link_their_timelines() {
    let mut failures = Vec::new();
    let dir = root().join("docs/tutorial/timelines");
    for chapter in chapters().iter().filter(|c| c.number >= 8) {
        let name = chapter.path.file_name().expect("a name").to_string_lossy().into_owned();
        let blocks = blocks(&chapter.text);
        let charted: Vec<&str> = blocks
            .iter()
            .filter(|b| b.info == "console" && b.lines[0].split_whitespace().any(|a| a == "--timeline"))
            .filter_map(|b| b.lines[0].split_whitespace().last())
            .collect();
        for program in programs(&blocks) {
            if !charted.contains(&program.as_str()) {
                failures.push(format!("{name} shows no `--timeline` run of {program}"));
            }
            let stem = Path::new(&program).file_stem().expect("a stem").to_string_lossy().into_owned();
            let link = format!("(timelines/{stem}.html)");
            if !chapter.text.contains(&link) {
                failures.push(format!("{name} does not link {link}"));
            }
            let page = dir.join(format!("{stem}.html"));
            let tmp =
                std::env::temp_dir().join(format!("tinyasync-tutorial-{}-{stem}.html", std::process::id()));
            let args: Vec<String> =
                ["--virtual-time", "--timeline-html", tmp.to_str().expect("utf-8 temp path"), &program]
                    .map(String::from)
                    .to_vec();
            let out = run(&args, None);
            let drawn = std::fs::read_to_string(&tmp).unwrap_or_else(|e| {
                panic!("{program} wrote no timeline ({e}): {}{}", out.stdout, out.stderr)
            });
            let _ = std::fs::remove_file(&tmp);
            let on_disk = std::fs::read_to_string(&page).unwrap_or_default();
            if drawn != on_disk {
                if updating() {
                    std::fs::create_dir_all(&dir).expect("make timelines/");
                    std::fs::write(&page, drawn).expect("write timeline");
                } else {
                    failures.push(format!(
                        "{} is not what {program} draws now (TUTORIAL_UPDATE=1 regenerates it)",
                        page.display()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every tutorial program is shown in a chapter and listed in examples/README.md; the
/// tutorial's contents page links every chapter; README links the tutorial.
#[test]
fn the_tutorial_is_linked_and_complete() {
    let chapters = chapters();
    let shown: BTreeSet<String> = chapters.iter().flat_map(|c| programs(&blocks(&c.text))).collect();
    let examples_readme =
        std::fs::read_to_string(root().join("examples/README.md")).expect("examples/README.md");
    let contents =
        std::fs::read_to_string(root().join("docs/tutorial/README.md")).expect("docs/tutorial/README.md");
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(root().join("examples/tutorial")).expect("examples/tutorial") {
        let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
        if !name.ends_with(".ta") {
            continue;
        }
        let path = format!("examples/tutorial/{name}");
        if !shown.contains(&path) {
            failures.push(format!("{path} is in no chapter"));
        }
        if !examples_readme.contains(&format!("(tutorial/{name})")) {
            failures.push(format!("examples/README.md does not list tutorial/{name}"));
        }
    }
    for chapter in &chapters {
        let file = chapter.path.file_name().expect("a name").to_string_lossy().into_owned();
        if !contents.contains(&format!("({file})")) {
            failures.push(format!("docs/tutorial/README.md does not link {file}"));
        }
    }
    if !readme.contains("(docs/tutorial/README.md)") {
        failures.push("README.md does not link the tutorial".into());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The checks themselves: blocks are found with their lines, transcripts split into input and
/// output, and a console line gets the virtual clock only when it runs a program.
#[test]
fn the_block_reader_and_the_transcript_split_work() {
    let md = "# T\n\n```python a.ta\nx = 1\n```\ntext\n```console\n$ tinyasync a.ta\n1\n```\n";
    let b = blocks(md);
    assert_eq!(b.len(), 2);
    assert_eq!(
        (b[0].info.as_str(), b[0].lines.clone(), b[0].body),
        ("python a.ta", vec!["x = 1".to_string()], (3, 4))
    );
    assert_eq!(b[1].lines, ["$ tinyasync a.ta", "1"]);
    let (input, output) =
        transcript(&[">>> def f():", "...     return 1", "...", ">>> f()", "1"].map(String::from));
    assert_eq!(input, "def f():\n    return 1\n\nf()\n");
    assert_eq!(output, ["1"]);
    assert_eq!(console_args("$ tinyasync --timeline x.ta"), ["--virtual-time", "--timeline", "x.ta"]);
    assert_eq!(console_args("$ tinyasync dis x.ta"), ["dis", "x.ta"]);
    assert!(contains_run(&["a", "b", "c"].map(String::from), &["b", "c"].map(String::from)));
    assert!(!contains_run(&["a", "b", "c"].map(String::from), &["a", "c"].map(String::from)));
    let edited = rewrite("a\n```\nold\n```\nz\n", vec![((2, 3), vec!["new".into(), "er".into()])]);
    assert_eq!(edited, "a\n```\nnew\ner\n```\nz\n");
}
