//! Colour and width of diagnostics, with the real binary: piped (80 columns, no colour unless
//! forced) and on a pseudo-terminal (as wide as the terminal, coloured unless `TERM=dumb`,
//! `NO_COLOR` or `CLICOLOR=0` says otherwise).

use rexpect::session::{spawn_with_options, Options};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

const BIN: &str = env!("CARGO_BIN_EXE_tinyasync");

/// Short source lines and a title of 106 characters, which wraps at 80 columns, not at 120.
const PROGRAM: &str = "words = 'word ' * 20\nraise ValueError(words.strip())\n";
const TITLE: &str = "ValueError: word word word word word word word word word word word word word word word word word word word word";

/// A fresh directory holding the program as `long.ta` (one per run: the tests run in parallel).
fn program() -> std::path::PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("tinyasync-style-{}-{}", std::process::id(), n));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("long.ta");
    std::fs::write(&path, PROGRAM).expect("write the program");
    path
}

/// A command with none of the variables that decide colour, except `vars`.
fn command(program: &str, args: &[&str], vars: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args);
    for v in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM", "CI", "COLUMNS"] {
        cmd.env_remove(v);
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd
}

/// stderr of `run` with stderr piped.
fn piped(vars: &[(&str, &str)]) -> String {
    let path = program();
    let mut cmd = command(BIN, &["run", "long.ta"], vars);
    let out = cmd.current_dir(path.parent().expect("a directory")).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// What `run` prints on a terminal `cols` wide (the program given by its file name alone, so
/// that the traceback's lines are short).
fn on_terminal(cols: usize, vars: &[(&str, &str)]) -> String {
    let path = program();
    let dir = path.parent().and_then(|d| d.to_str()).expect("utf-8 path");
    let script = format!("cd \"$1\" && stty cols {cols} rows 40 && exec \"$0\" run long.ta");
    let cmd = command("sh", &["-c", &script, BIN, dir], vars);
    let opts = Options { timeout_ms: Some(20_000), strip_ansi_escape_codes: false };
    let mut p = spawn_with_options(cmd, opts).expect("starts in a pty");
    let got = p.exp_eof().expect("the program ends");
    // rexpect hands each byte over as one char: decode the bytes as the UTF-8 they are.
    let bytes: Vec<u8> = got.chars().map(|c| c as u32 as u8).collect();
    String::from_utf8_lossy(&bytes).replace('\r', "")
}

fn has_colour(s: &str) -> bool {
    s.contains("\x1b[")
}

/// The widest line, in characters, escape sequences left out.
fn widest(s: &str) -> usize {
    let mut plain = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI: ESC [ parameters final-byte.
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// How many lines the title takes (down to the drawing's first line).
fn title_lines(s: &str) -> usize {
    let start = s.find('×').expect("a title");
    s[start..].lines().take_while(|l| !l.contains('╭')).count()
}

#[test]
fn piped_stderr_is_80_columns_without_colour() {
    let s = piped(&[]);
    assert!(!has_colour(&s), "{s}");
    assert!(widest(&s) <= 80, "wider than 80 columns:\n{s}");
    assert_eq!(title_lines(&s), 2, "the title wraps at 80 columns:\n{s}");
    assert!(s.replace("\n  │ ", " ").contains(TITLE), "{s}");
}

#[test]
fn clicolor_force_colours_piped_output() {
    let s = piped(&[("CLICOLOR_FORCE", "1")]);
    assert!(has_colour(&s), "{s}");
}

#[test]
fn no_color_wins_over_clicolor_force() {
    assert!(!has_colour(&piped(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")])));
    // Set but empty, NO_COLOR does not count (no-color.org).
    assert!(has_colour(&piped(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "")])));
}

#[test]
fn a_terminal_gets_colour_and_its_width() {
    let narrow = on_terminal(60, &[("TERM", "xterm-256color")]);
    assert!(has_colour(&narrow), "{narrow}");
    assert!(widest(&narrow) <= 60, "wider than the terminal:\n{narrow}");
    assert!(title_lines(&narrow) >= 2, "{narrow}");
    let wide = on_terminal(120, &[("TERM", "xterm-256color")]);
    assert!(widest(&wide) > 100, "the title fits one line of 120 columns:\n{wide}");
    assert_eq!(title_lines(&wide), 1, "{wide}");
}

#[test]
fn term_dumb_no_color_and_clicolor_0_turn_colour_off_on_a_terminal() {
    for vars in [
        &[("TERM", "dumb")][..],
        &[("TERM", "xterm-256color"), ("NO_COLOR", "1")][..],
        &[("TERM", "xterm-256color"), ("CLICOLOR", "0")][..],
    ] {
        let s = on_terminal(100, vars);
        assert!(!has_colour(&s), "{vars:?}:\n{s}");
        assert!(s.contains("ValueError: word"), "{vars:?}:\n{s}");
    }
}
