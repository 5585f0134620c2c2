//! The program the parse benchmark reads (benches/parse.rs), shared with the test that checks
//! it is a valid program for tinyasync and for python3 (tests/bench_program.rs).

use std::fmt::Write;

/// About `size` bytes of varied, valid statements.
pub fn generate(size: usize) -> String {
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
             \x20       return item\n\
             \x20   def values(self):\n\
             \x20       received = (yield) if False else None\n\
             \n"
        );
        i += 1;
    }
    s
}
