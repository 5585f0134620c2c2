//! Driver: runs the phases in order for the CLI, the REPL and the tests, and turns each
//! failure into a rendered diagnostic plus an exit status.

use crate::diagnostics::{self, exit, Style};
use crate::{ast, ast_print, parser, resolver};

/// A source file: its display name and its text.
#[derive(Clone, Debug)]
pub struct Source {
    pub name: String,
    pub text: String,
}

/// What a failed phase hands back: the rendered diagnostic and the exit status.
#[derive(Debug)]
pub struct Failure {
    pub rendered: String,
    pub status: i32,
}

/// Reads a program file. Missing files, directories and invalid UTF-8 are usage errors (exit 2)
/// with a one-line message naming the file.
pub fn read_source(path: &std::path::Path) -> Result<Source, Failure> {
    let name = path.display().to_string();
    let fail = |why: String| Failure {
        rendered: diagnostics::render_simple(&format!("cannot read '{}': {}", name, why)),
        status: exit::USAGE,
    };
    if path.is_dir() {
        return Err(fail("it is a directory".into()));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        fail(match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".into(),
            std::io::ErrorKind::PermissionDenied => "permission denied".into(),
            _ => e.to_string(),
        })
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Source { name, text }),
        Err(e) => {
            let off = e.utf8_error().valid_up_to();
            Err(fail(format!("it is not valid UTF-8 (invalid byte at offset {})", off)))
        }
    }
}

/// Parses and runs the static checks.
pub fn check(src: &Source, style: Style) -> Result<(ast::Module, resolver::Resolution), Failure> {
    let syntax = |e: crate::error::SyntaxError| Failure {
        rendered: diagnostics::render_syntax(style, &src.name, &src.text, &e),
        status: exit::USAGE,
    };
    let module = parser::parse_program(&src.text).map_err(syntax)?;
    let res = resolver::resolve(&module).map_err(syntax)?;
    Ok((module, res))
}

/// `tinyasync parse`: the AST as indented text.
pub fn parse_to_text(src: &Source, style: Style) -> Result<String, Failure> {
    let (module, _) = check(src, style)?;
    Ok(ast_print::print_module(&module, &src.text))
}

/// Runs `f` on a thread with a large stack, so depth limits (not the OS) stop deep recursion.
pub fn with_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    const STACK: usize = 1 << 30;
    match std::thread::Builder::new().name("tinyasync".into()).stack_size(STACK).spawn(f) {
        Ok(h) => match h.join() {
            Ok(v) => v,
            Err(p) => std::panic::resume_unwind(p),
        },
        // Could not create the thread (address space exhausted): run here instead.
        Err(_) => panic!("cannot start the interpreter thread"),
    }
}
