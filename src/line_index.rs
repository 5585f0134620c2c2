//! Line numbers for byte offsets: one index per source, built in one pass, then each lookup is a
//! binary search. Every printer of `line:col` uses it (diagnostics, tracebacks, `tinyasync
//! parse`, `--trace`), so the cost of a lookup does not grow with the size of the file.

use std::rc::Rc;

/// Where each line starts, and where the characters wider than one byte are.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    /// Byte offset of the start of each line; `starts[0] == 0`.
    starts: Vec<usize>,
    /// For each character of two or more bytes: (its offset, the extra bytes of all such
    /// characters up to and including it). Columns count characters, so a column is the byte
    /// distance minus the extra bytes in between.
    wide: Vec<(usize, usize)>,
    /// Whether the text starts with a byte order mark (not part of the first line's text).
    bom: bool,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        let mut wide = Vec::new();
        let mut extra = 0;
        let bytes = text.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' {
                starts.push(i + 1);
            } else if b >= 0xC0 {
                // The first byte of a multi-byte character: 110xxxxx, 1110xxxx or 11110xxx.
                let len = if b >= 0xF0 {
                    4
                } else if b >= 0xE0 {
                    3
                } else {
                    2
                };
                extra += len - 1;
                wide.push((i, extra));
            }
        }
        LineIndex { starts, wide, bom: text.starts_with('\u{feff}') }
    }

    /// The 1-based line of a byte offset (offsets past the end count as the last line).
    pub fn line(&self, offset: usize) -> usize {
        // `starts[0] == 0 <= offset`, so the point is at least 1.
        self.starts.partition_point(|&s| s <= offset)
    }

    /// Extra bytes of the wide characters that start before `offset`.
    fn extra_before(&self, offset: usize) -> usize {
        let i = self.wide.partition_point(|&(at, _)| at < offset);
        i.checked_sub(1).map_or(0, |i| self.wide[i].1)
    }

    /// 1-based line and column (in characters) of a byte offset into `text`, the text the index
    /// was built from. An offset inside a character counts as that character; one past the end,
    /// as the end.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let mut off = offset.min(text.len());
        while !text.is_char_boundary(off) {
            off -= 1;
        }
        let line = self.line(off);
        let start = self.starts[line - 1];
        let mut col = (off - start) - (self.extra_before(off) - self.extra_before(start)) + 1;
        if start == 0 && off > 0 && self.bom {
            col -= 1;
        }
        (line, col)
    }
}

/// The index of a shared text, built on first use and rebuilt when the text is replaced (the
/// REPL replaces the interpreter's text after each input). Holding the text keeps the
/// comparison by address sound.
#[derive(Default)]
pub struct Cached {
    cell: std::cell::RefCell<Option<(Rc<str>, Rc<LineIndex>)>>,
}

impl Cached {
    pub fn get(&self, text: &Rc<str>) -> Rc<LineIndex> {
        let mut cell = self.cell.borrow_mut();
        match &*cell {
            Some((t, index)) if Rc::ptr_eq(t, text) => index.clone(),
            _ => {
                let index = Rc::new(LineIndex::new(text));
                *cell = Some((text.clone(), index.clone()));
                index
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    /// The definition the index must agree with: count from the start of the text.
    fn naive(src: &str, offset: usize) -> (usize, usize) {
        let mut off = offset.min(src.len());
        while !src.is_char_boundary(off) {
            off -= 1;
        }
        let before = &src[..off];
        let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let mut col = src[line_start..off].chars().count() + 1;
        if line_start == 0 && off > 0 && src.starts_with('\u{feff}') {
            col -= 1;
        }
        (line, col)
    }

    #[test]
    fn agrees_with_counting_from_the_start_at_every_offset() {
        for src in [
            "",
            "\n",
            "x",
            "x = 1\nprint(x)\n",
            "\u{feff}x = 'é'\n  y = \"日本\" + '🎉'\r\nz\n\n",
            "é\n\n\u{7ff}\u{800}\u{ffff}\u{10000}\nlast",
            "no newline at the end 🎉",
        ] {
            let index = LineIndex::new(src);
            for off in 0..=src.len() + 2 {
                assert_eq!(index.line_col(src, off), naive(src, off), "{:?} at {}", src, off);
            }
        }
    }
}
