//! Front-end speed: lexing and parsing a generated program of about 10 MB of varied statements.
//! README records the MB/s (divan prints it as the throughput of the `parse_10mb` bench).

use std::fmt::Write;

/// The same allocator as the binary (see src/main.rs).
#[global_allocator]
static GLOBAL: tinyasync::limits::Counting<tinyasync::limits::Mimalloc> =
    tinyasync::limits::Counting(tinyasync::limits::Mimalloc);

fn main() {
    divan::main();
}

/// About `size` bytes of varied, valid statements.
fn generate(size: usize) -> String {
    let mut s = String::with_capacity(size + 4096);
    let mut i = 0usize;
    while s.len() < size {
        let _ = write!(
            s,
            "def func_{i}(a, b=2, *args, key=None, **kw):\n\
             \x20   total = a * b + (a - b) // 3 ** 2\n\
             \x20   if total > 10 and not key:\n\
             \x20       total -= 1\n\
             \x20   elif total < -5 or key is None:\n\
             \x20       total += len(args)\n\
             \x20   else:\n\
             \x20       total = [x * 2 for x in range(total) if x % 3 == 0]\n\
             \x20   for k, v in kw.items():\n\
             \x20       print(f\"{{k}}={{v!r:>8}}\", 'text', \"more \\n text\")\n\
             \x20   while total:\n\
             \x20       total = total[1:] if isinstance(total, list) else 0\n\
             \x20   try:\n\
             \x20       value = {{\"a\": 1, 'b': (2, 3), 'c': {{4, 5}}}}[\"a\"]\n\
             \x20   except (KeyError, IndexError) as err:\n\
             \x20       raise ValueError(\"bad\") from err\n\
             \x20   finally:\n\
             \x20       pass\n\
             \x20   return lambda x, y=1: x + y + 0x1F + 1_000.5e-3\n\
             \n\
             class Thing_{i}(Base):\n\
             \x20   count = 0\n\
             \x20   async def run(self, q):\n\
             \x20       item = await q.get()\n\
             \x20       self.count += item.value[0].field\n\
             \x20       yield_value = (yield) if False else None\n\
             \x20       return item\n\
             \n"
        );
        i += 1;
    }
    s
}

/// Parsing as `tinyasync run` does it: once per process, into fresh memory, never freeing the
/// tree. Each sample's tree is leaked (about 150 MB each), so no sample reuses memory another
/// one freed.
#[divan::bench(sample_count = 10)]
fn parse_10mb(bencher: divan::Bencher) {
    let src = generate(10 << 20);
    bencher.counter(divan::counter::BytesCount::new(src.len())).bench(|| {
        let module = tinyasync::parser::parse_program(divan::black_box(&src)).ok();
        std::mem::forget(module);
    });
}

/// The same, with each tree freed between samples (outside the timed part), so later samples
/// parse into memory the allocator got back from earlier ones: the case of a long-lived
/// process that parses many programs (the REPL parses one input at a time, all small).
#[divan::bench(sample_count = 10)]
fn parse_10mb_reusing_memory(bencher: divan::Bencher) {
    let src = generate(10 << 20);
    bencher
        .counter(divan::counter::BytesCount::new(src.len()))
        .bench(|| tinyasync::parser::parse_program(divan::black_box(&src)).ok());
}

#[divan::bench(sample_count = 10)]
fn lex_10mb(bencher: divan::Bencher) {
    let src = generate(10 << 20);
    bencher.counter(divan::counter::BytesCount::new(src.len())).bench(|| {
        // The parser pulls tokens one at a time; so does this loop.
        let mut lexer = tinyasync::lexer::Lexer::new(divan::black_box(&src), 0);
        let mut count = 0usize;
        while let Ok(t) = lexer.next_token() {
            if t.tok == tinyasync::lexer::Tok::Eof {
                break;
            }
            count += 1;
        }
        count
    });
}
