//! The lexer's fast path (src/lexer/fast.rs) must not change what the lexer says: every program
//! in the repository, a list of tricky snippets, and thousands of byte-level mutations of them
//! are lexed twice — with the fast path and with logos alone — and the token streams (kinds and
//! spans) and errors must be identical.

use std::path::Path;
use tinyasync::lexer::{Lexer, Tok, Token};

/// Tokens up to `Eof`, or the tokens before an error and the error.
fn tokens(mut lexer: Lexer) -> (Vec<Token>, Option<tinyasync::error::SyntaxError>) {
    let mut out = Vec::new();
    loop {
        match lexer.next_token() {
            Ok(t) if t.tok == Tok::Eof => return (out, None),
            Ok(t) => out.push(t),
            Err(e) => return (out, Some(e)),
        }
    }
}

fn assert_same(src: &str, what: &str) {
    let (fast, fast_err) = tokens(Lexer::new(src, 0));
    let (slow, slow_err) = tokens(Lexer::logos_only(src, 0));
    let n = fast.len().min(slow.len());
    for i in 0..n {
        assert!(
            fast[i].tok == slow[i].tok && fast[i].span == slow[i].span,
            "{what}: token {i} differs: fast {:?} at {:?}, logos {:?} at {:?}\nsource: {src:?}",
            fast[i].tok,
            fast[i].span,
            slow[i].tok,
            slow[i].span
        );
    }
    assert_eq!(fast.len(), slow.len(), "{what}: token counts differ\nsource: {src:?}");
    assert_eq!(fast_err, slow_err, "{what}: errors differ\nsource: {src:?}");
}

fn programs(dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            programs(&path, out);
        } else if path.extension().is_some_and(|e| e == "ta" || e == "md") {
            if let Ok(text) = std::fs::read_to_string(&path) {
                out.push((path.display().to_string(), text));
            }
        }
    }
}

/// Snippets where the fast path must hand over to logos, or must stop at the right byte.
const TRICKY: &[&str] = &[
    "a**=b; a**b; a*=b; a*b\n",
    "a//=b; a//b; a/=b; a/b\n",
    "a<<=b; a<<b; a<=b; a<b; a<>b\n",
    "a>>=b; a>>b; a>=b; a>b\n",
    "a==b; a=b; a!=b; a!b\n",
    "a:=b; a:b; a->b; a-=b; a-b; a--b\n",
    "a%=b; a@=b; a&=b; a|=b; a^=b; ~a; a%b@c&d|e^f\n",
    "x = ...; y = .5; z = a.b; w = a..b; v = 1.; u = 1.5e-3; t = 1e5\n",
    "1if x else 2; 0; 00; 0x1F; 0o17; 0b101; 1_000; 1__0; 123456789012345678; 1234567890123456789\n",
    "99999999999999999999999; 1j; 1e; 1_; 12abc; 3.real\n",
    "f'a{b}c'; rb'x'; Rb\"y\"; br'z'; u'w'; bf'q'; x'y'; r\"\"\"long\"\"\"\n",
    "é = 1; aé = 2; ñame = 3; x·y = 4; a\u{200b}b\n",
    "if x:\n\ty = 1\n        z = 2\n",
    "if x:\r\n    y = 1\r\n",
    "x = 1 + \\\n    2\n",
    "\\\n",
    "x = (1,\n\n  2\n)\n# comment\n   # indented comment\n\n",
    "def f(\n    a,\n    b,\n):\n    return [a,\n b]\n",
    "x = (]\n",
    "x = ]\n",
    "x = (\n",
    "x = 'unterminated\n",
    "x = \"\"\"unterminated\n",
    "x = $\n",
    "x = `\n",
    "x = ?\n",
    "   x = 1\n",
    "if x:\n    y\n  z\n",
    "\u{feff}x = 1\n",
    "x\u{0c} = 1\n",
    "x = 1 \t# tab before comment\n",
    "async def f():\n    await g()\n",
    "lambda: 0\nnonlocal\ncontinue_ = 1\nNone_ = True\nFalse\n",
    "a_very_long_identifier_name_over_sixteen = another_very_long_identifier_name\n",
    "abcdefgh = abcdefghi = abcdefghijklmnop = abcdefghijklmnopq\n",
    // Every keyword, and words one letter away from one.
    "False None True and as assert async await break class continue def del elif else except finally\n",
    "for from global if import in is lambda nonlocal not or pass raise return try while with yield\n",
    "false none true andd a asserts asyn awaits brea klass continues de dell eli els excep final\n",
    "fo fro globals iff imports i iss lambd nonlocals no o passs rais returns tr whil wit yields\n",
    "x",
    "(",
    ")",
    "\n",
    "",
    " ",
    "1",
    "a",
    "é",
    ".",
    "-",
    "!",
    "\\",
    "'",
    "#",
];

/// Characters worth inserting: those that decide where the fast path stops.
const INSERTS: &[&str] = &[
    " ", "\t", "\n", "\r", "\r\n", "\\", "'", "\"", "#", "(", ")", "[", "]", "{", "}", ".", ":", "=", "+",
    "-", "*", "/", "<", ">", "!", "%", "@", "&", "|", "^", "~", ",", ";", "0", "1", "9", "e", "j", "x", "_",
    "é", "f", "r", "\u{0c}", "\0", "$",
];

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n.max(1) as u64) as usize
    }
}

/// One random edit at a character boundary: a deletion or an insertion.
fn mutate(src: &str, rng: &mut Rng) -> String {
    let bounds: Vec<usize> = src.char_indices().map(|(i, _)| i).chain([src.len()]).collect();
    let at = bounds[rng.below(bounds.len())];
    let mut out = String::with_capacity(src.len() + 4);
    out.push_str(&src[..at]);
    if rng.below(3) == 0 && at < src.len() {
        let next = src[at..].chars().next().map_or(0, char::len_utf8);
        out.push_str(&src[at + next..]);
    } else {
        out.push_str(INSERTS[rng.below(INSERTS.len())]);
        out.push_str(&src[at..]);
    }
    out
}

#[test]
fn the_fast_path_lexes_every_program_as_logos_does() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    for dir in ["examples", "tests", "benches"] {
        programs(&root.join(dir), &mut all);
    }
    if let Ok(g) = std::fs::read_to_string(root.join("grammar.md")) {
        all.push(("grammar.md".into(), g));
    }
    assert!(all.len() >= 100, "only {} programs found", all.len());
    for (name, text) in &all {
        assert_same(text, name);
    }
}

#[test]
fn the_fast_path_agrees_on_tricky_snippets() {
    for (i, src) in TRICKY.iter().enumerate() {
        assert_same(src, &format!("snippet {i}"));
    }
}

#[test]
fn the_fast_path_agrees_on_mutated_programs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    programs(&root.join("examples"), &mut all);
    programs(&root.join("tests"), &mut all);
    all.extend(TRICKY.iter().map(|s| ("snippet".to_string(), s.to_string())));
    let mut rng = Rng(7);
    let mut runs = 0;
    for (name, text) in &all {
        // Small programs and the tricky snippets get more edits each; a few edits stack.
        let mut src = text.clone();
        for k in 0..60 {
            src = if k % 4 == 0 { mutate(text, &mut rng) } else { mutate(&src, &mut rng) };
            assert_same(&src, &format!("{name}, mutation {k}"));
            runs += 1;
        }
    }
    assert!(runs > 5000, "{runs}");
}

/// The keyword list the lexer reads words with and the one messages print keywords with agree:
/// each of Python's 35 keywords lexes to the token that prints as itself.
#[test]
fn every_keyword_lexes_to_its_own_token() {
    let keywords = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
        "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
        "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ];
    for word in keywords {
        for lexer in [Lexer::new(word, 0), Lexer::logos_only(word, 0)] {
            let (toks, err) = tokens(lexer);
            assert!(err.is_none(), "{word}");
            assert_eq!(
                tinyasync::lexer::keyword_text(&toks[0].tok),
                Some(word),
                "{word} lexed as {:?}",
                toks[0].tok
            );
        }
        assert!(tinyasync::lexer::is_keyword(word));
    }
    assert!(!tinyasync::lexer::is_keyword("print") && !tinyasync::lexer::is_keyword("match"));
}
