//! `--timeline`: what every task did when, recorded by the scheduler as it goes (only when the
//! flag asks for it) and drawn after the run as one row per task across time.
//!
//! Time runs across in columns. A column shows `▮` when the task ran in it (a step takes no
//! virtual time, so a run is never hidden by a sleep), else what the task was doing: ready,
//! sleeping, or waiting on a join, a queue or an event; the column after its last step shows
//! how it ended. When every event happened at one instant (a program switching by
//! `sleep(0)` on the virtual clock), the columns are the scheduler's steps instead. Past
//! `MAX_ROWS` tasks, rows are grouped by function (`worker ×1000`, the busiest state of any
//! of them in each column), and past `MAX_ROWS` groups the rest is counted.

use std::collections::HashMap;

/// What a task is doing from an instant on.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Mark {
    Ready,
    Running,
    Sleeping,
    Join,
    Queue,
    Event,
    Finished,
    Failed,
    Cancelled,
}

impl Mark {
    fn glyph(self) -> char {
        match self {
            Mark::Ready => '·',
            Mark::Running => '▮',
            Mark::Sleeping => '~',
            Mark::Join => '═',
            Mark::Queue => '≡',
            Mark::Event => '┄',
            Mark::Finished => '✓',
            Mark::Failed => '✗',
            Mark::Cancelled => '⊘',
        }
    }
    pub(super) fn meaning(self) -> &'static str {
        match self {
            Mark::Ready => "ready",
            Mark::Running => "running",
            Mark::Sleeping => "sleeping",
            Mark::Join => "waiting (join)",
            Mark::Queue => "waiting (queue)",
            Mark::Event => "waiting (event)",
            Mark::Finished => "finished",
            Mark::Failed => "failed",
            Mark::Cancelled => "cancelled",
        }
    }
    /// Its CSS class in the HTML page (where the script has the legend's words for it).
    pub(super) fn class(self) -> &'static str {
        match self {
            Mark::Ready => "ready",
            Mark::Running => "running",
            Mark::Sleeping => "sleeping",
            Mark::Join => "join",
            Mark::Queue => "queue",
            Mark::Event => "event",
            Mark::Finished => "finished",
            Mark::Failed => "failed",
            Mark::Cancelled => "cancelled",
        }
    }
    /// The ANSI colour of its glyph.
    fn colour(self) -> &'static str {
        match self {
            Mark::Running | Mark::Finished => "32",
            Mark::Ready => "2",
            Mark::Sleeping => "34",
            Mark::Join | Mark::Queue | Mark::Event => "33",
            Mark::Failed => "31",
            Mark::Cancelled => "35",
        }
    }
    pub(super) fn ended(self) -> bool {
        matches!(self, Mark::Finished | Mark::Failed | Mark::Cancelled)
    }
    /// Which of two marks a grouped row shows: running first, then how tasks ended, then
    /// waiting, sleeping, ready.
    fn rank(self) -> u8 {
        match self {
            Mark::Running => 8,
            Mark::Failed => 7,
            Mark::Cancelled => 6,
            Mark::Finished => 5,
            Mark::Join | Mark::Queue | Mark::Event => 4,
            Mark::Sleeping => 2,
            Mark::Ready => 1,
        }
    }
}

/// Rows beyond this are grouped by function, then cut.
const MAX_ROWS: usize = 24;
/// The most events kept (a run's first ones go first): 64 MiB.
const MAX_EVENTS: usize = 1 << 22;
/// The widest row label; longer names are cut with `…` (a group keeps its `×N`).
const MAX_LABEL: usize = 24;

/// The events of a run: (nanoseconds on the scheduler's clock, row, mark), rows in the order
/// tasks first appeared.
#[derive(Default)]
pub struct Timeline {
    events: Vec<(i64, u32, Mark)>,
    rows: Vec<String>,
    row_of: HashMap<u64, u32>,
    /// Events dropped to bound memory (the oldest, `MAX_EVENTS / 2` at a time).
    dropped: usize,
    /// The program's output lines (for the HTML page).
    outputs: Vec<Printed>,
    /// What some events were about (for the HTML page's tooltips): (event index, text).
    notes: Vec<(usize, String)>,
}

/// A task in one state: its row, from and to (ns), the state, what its start was about.
pub(super) type Stretch = (u32, i64, i64, Mark, String);
/// A line the program printed: when (ns), who printed it, the text.
pub(super) type Printed = (i64, String, String);

impl Timeline {
    /// Task `id` (named by `name` when it is new) does `m` from `at` on. Past `MAX_EVENTS`
    /// (a long run, a long REPL session), the older half goes, and the chart says so.
    pub fn record(&mut self, at: i64, id: u64, name: impl FnOnce() -> String, m: Mark) {
        if self.events.len() >= MAX_EVENTS {
            self.events.drain(..MAX_EVENTS / 2);
            self.dropped += MAX_EVENTS / 2;
            self.notes.retain(|n| n.0 >= MAX_EVENTS / 2);
            self.notes.iter_mut().for_each(|n| n.0 -= MAX_EVENTS / 2);
        }
        let next = self.rows.len() as u32;
        let row = *self.row_of.entry(id).or_insert(next);
        if row == next {
            self.rows.push(name());
        }
        self.events.push((at, row, m));
    }

    /// What the event just recorded was about (the line of an await, why a task woke, ...).
    pub fn note(&mut self, text: &str) {
        if let Some(last) = self.events.len().checked_sub(1) {
            self.notes.push((last, text.to_string()));
        }
    }

    /// A line the program printed (kept for the page, up to 100,000 lines).
    pub fn output(&mut self, at: i64, who: &str, line: &str) {
        if self.outputs.len() < 100_000 {
            self.outputs.push((at, who.to_string(), line.to_string()));
        }
    }

    /// For the page: the task names, every stretch (row, from, to, mark), the output lines.
    pub(super) fn parts(&self, end: i64) -> (&[String], Vec<Stretch>, &[Printed]) {
        let mut next_at: Vec<i64> = vec![end; self.rows.len()];
        let mut stretches = Vec::with_capacity(self.events.len());
        let mut notes = self.notes.iter().rev().peekable();
        for (i, &(at, row, m)) in self.events.iter().enumerate().rev() {
            let mut note = String::new();
            while let Some((_, text)) = notes.next_if(|n| n.0 == i) {
                note = if note.is_empty() { text.clone() } else { format!("{}; {}", text, note) };
            }
            stretches.push((row, at, next_at[row as usize].max(at), m, note));
            next_at[row as usize] = at;
        }
        stretches.reverse();
        (&self.rows, stretches, &self.outputs)
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The chart, `width` columns wide in all, coloured or not.
    pub fn draw(&self, end: i64, width: usize, colour: bool) -> String {
        if self.events.is_empty() {
            return String::new();
        }
        let (rows, labels) = self.grouped();
        let label_width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0).min(MAX_LABEL);
        let cols = width.saturating_sub(label_width + 1).max(20);
        // Events spread over all but the last column, which is left for the ends of the
        // tasks that ran last.
        let span_cols = cols - 1;
        let start = self.events.first().map_or(0, |e| e.0);
        let end = end.max(self.events.last().map_or(0, |e| e.0));
        let by_time = end > start;
        let runs = self.events.iter().filter(|e| e.2 == Mark::Running).count().max(1);
        // The column of each event: by time, or by how many steps ran before it.
        let mut steps = 0usize;
        let column: Vec<usize> = self
            .events
            .iter()
            .map(|&(t, _, m)| {
                let c = if by_time {
                    ((t - start) as f64 / (end - start) as f64 * span_cols as f64) as usize
                } else {
                    if m == Mark::Running {
                        steps += 1;
                    }
                    steps.saturating_sub(1) * span_cols / runs
                };
                c.min(span_cols - 1)
            })
            .collect();
        let mut grid: Vec<Vec<Option<Mark>>> = vec![vec![None; cols]; labels.len()];
        // Each task's own row of marks, then merged into its group's row.
        let mut own: Vec<Vec<(usize, Mark)>> = vec![Vec::new(); self.rows.len()];
        for (i, &(_, row, m)) in self.events.iter().enumerate() {
            own[row as usize].push((column[i], m));
        }
        for (task, marks) in own.iter().enumerate() {
            let Some(target) = rows[task] else { continue };
            let cells = task_cells(marks, cols);
            for (c, m) in cells.into_iter().enumerate() {
                let Some(m) = m else { continue };
                let cell = &mut grid[target][c];
                if cell.is_none_or(|old| m.rank() > old.rank()) {
                    *cell = Some(m);
                }
            }
        }
        // The legend lists the glyphs drawn (a grouped row hides its members' lesser ones).
        let mut used: Vec<Mark> = Vec::new();
        for m in grid.iter().flatten().flatten() {
            if !used.contains(m) {
                used.push(*m);
            }
        }
        let paint = |m: Mark| {
            if colour {
                format!("\x1b[{}m{}\x1b[0m", m.colour(), m.glyph())
            } else {
                m.glyph().to_string()
            }
        };
        let mut out = String::new();
        if self.dropped > 0 {
            out.push_str(&format!(
                "(the first {} events were dropped to bound memory: the chart starts at {:.3} s)\n",
                self.dropped,
                start as f64 / 1e9
            ));
        }
        for (label, cells) in labels.iter().zip(&grid) {
            if cells.iter().all(|c| c.is_none()) {
                // A task whose every event was dropped.
                continue;
            }
            let shown = fit(label, label_width);
            let line: String = cells.iter().map(|c| c.map_or(" ".to_string(), paint)).collect();
            out.push_str(format!("{:<w$} {}", shown, line, w = label_width).trim_end());
            out.push('\n');
        }
        let hidden = self.rows.len() - rows.iter().filter(|r| r.is_some()).count();
        if hidden > 0 {
            out.push_str(&format!("… and {} more tasks\n", hidden));
        }
        out.push_str(&axis(label_width, span_cols, start, end, by_time, runs));
        used.sort_by_key(|m| std::cmp::Reverse(m.rank()));
        // The legend under the axis, wrapped to the width.
        let mut line = String::new();
        let mut line_len = 0;
        for m in used {
            let item_len = m.meaning().chars().count() + 2;
            if line_len > 0 && label_width + 1 + line_len + 2 + item_len > width {
                out.push_str(&format!("{:w$} {}\n", "", line, w = label_width));
                line.clear();
                line_len = 0;
            }
            if line_len > 0 {
                line.push_str("  ");
                line_len += 2;
            }
            line.push_str(&format!("{} {}", paint(m), m.meaning()));
            line_len += item_len;
        }
        out.push_str(&format!("{:w$} {}\n", "", line, w = label_width));
        out
    }

    /// The run in Chrome's trace-event format (Perfetto, chrome://tracing): one track per
    /// task, named as in reports; a slice for each stretch in one state (a step on the virtual
    /// clock is a slice of no duration), an instant event where the task ended. Times are in
    /// microseconds of the scheduler's clock.
    pub fn chrome_trace(&self, end: i64, program: &str) -> String {
        let us = |ns: i64| ns as f64 / 1e3;
        let mut events = vec![format!(
            r#"{{"ph":"M","name":"process_name","pid":1,"args":{{"name":"tinyasync {}"}}}}"#,
            json_escape(program)
        )];
        for (row, name) in self.rows.iter().enumerate() {
            events.push(format!(
                r#"{{"ph":"M","name":"thread_name","pid":1,"tid":{},"args":{{"name":"{}"}}}}"#,
                row + 1,
                json_escape(name)
            ));
        }
        // Each event lasts until the same task's next one (or the end of the run).
        let (_, stretches, _) = self.parts(end);
        for (row, at, until, m, _) in stretches {
            let tid = row + 1;
            if m.ended() {
                events.push(format!(
                    r#"{{"ph":"i","s":"t","name":"{}","cat":"task","pid":1,"tid":{},"ts":{}}}"#,
                    m.meaning(),
                    tid,
                    us(at)
                ));
            } else {
                events.push(format!(
                    r#"{{"ph":"X","name":"{}","cat":"task","pid":1,"tid":{},"ts":{},"dur":{}}}"#,
                    m.meaning(),
                    tid,
                    us(at),
                    us(until - at)
                ));
            }
        }
        format!("{{\"traceEvents\":[\n{}\n],\"displayTimeUnit\":\"ms\"}}\n", events.join(",\n"))
    }

    /// Which drawn row each task goes to (None: cut), and the drawn rows' labels.
    fn grouped(&self) -> (Vec<Option<usize>>, Vec<String>) {
        if self.rows.len() <= MAX_ROWS {
            return ((0..self.rows.len()).map(Some).collect(), self.rows.clone());
        }
        // By function: a name without its `#N`.
        let mut groups: Vec<(String, usize)> = Vec::new();
        let mut group_of: HashMap<&str, usize> = HashMap::new();
        let mut rows = Vec::with_capacity(self.rows.len());
        for name in &self.rows {
            let base = match name.rsplit_once('#') {
                Some((b, n)) if !b.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => b,
                _ => name.as_str(),
            };
            let g = *group_of.entry(base).or_insert_with(|| {
                groups.push((base.to_string(), 0));
                groups.len() - 1
            });
            groups[g].1 += 1;
            rows.push(Some(g));
        }
        let keep = if groups.len() > MAX_ROWS { MAX_ROWS - 1 } else { groups.len() };
        for r in rows.iter_mut() {
            if r.is_some_and(|g| g >= keep) {
                *r = None;
            }
        }
        let labels = groups
            .iter()
            .take(keep)
            .map(|(b, n)| {
                if *n == 1 {
                    return b.clone();
                }
                let count = format!(" ×{}", n);
                format!("{}{}", fit(b, MAX_LABEL.saturating_sub(count.chars().count())), count)
            })
            .collect();
        (rows, labels)
    }
}

/// One task's marks (column, mark, in order) as a row of cells: a column where it ran shows
/// `▮`; its end shows in the column after its last step (or in its own if that is the last);
/// between events it keeps its state; nothing before it existed or after it ended.
fn task_cells(marks: &[(usize, Mark)], cols: usize) -> Vec<Option<Mark>> {
    let mut cells = vec![None; cols];
    let mut state: Option<Mark> = None;
    let mut i = 0;
    let mut pending_end: Option<Mark> = None;
    for (c, cell) in cells.iter_mut().enumerate() {
        if let Some(end) = pending_end.take() {
            *cell = Some(end);
            state = None;
            continue;
        }
        let mut ran = false;
        let mut ended = None;
        let mut seen = false;
        while i < marks.len() && marks[i].0 == c {
            let m = marks[i].1;
            seen = true;
            ran |= m == Mark::Running;
            if m.ended() {
                ended = Some(m);
            }
            state = Some(m);
            i += 1;
        }
        *cell = match (ran, ended) {
            (true, Some(end)) if c + 1 < cols => {
                pending_end = Some(end);
                Some(Mark::Running)
            }
            (_, Some(end)) => Some(end),
            (true, None) => Some(Mark::Running),
            // Between events the task keeps its state (still running, when a step takes
            // time: `time.sleep`, real work on the real clock).
            (false, None) if seen || state.is_some_and(|s| !s.ended()) => state,
            _ => None,
        };
        if ended.is_some() && pending_end.is_none() {
            state = None;
        }
    }
    cells
}

/// The axis under the chart: "nice" values (1, 2, 2.5 or 5 times a power of ten apart, at
/// least ten columns apart), each written where its column is; seconds, or steps run.
fn axis(label_width: usize, cols: usize, start: i64, end: i64, by_time: bool, runs: usize) -> String {
    let span = if by_time { (end - start) as f64 / 1e9 } else { runs as f64 };
    let raw = span / (cols / 10).max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let mut step =
        [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * magnitude).find(|s| *s >= raw).unwrap_or(raw);
    if !by_time {
        step = step.ceil().max(1.0);
    }
    let decimals = (0..10).find(|d| {
        let scaled = step * 10f64.powi(*d);
        (scaled - scaled.round()).abs() < 1e-6 * scaled.abs().max(1.0) && scaled >= 1.0
    });
    let decimals = decimals.unwrap_or(9) as usize;
    // The unit follows the last label: labels end before it, within the width.
    let unit = if by_time { "s" } else { "steps" };
    let room = cols.saturating_sub(unit.len() + 2);
    let mut line: Vec<char> = vec![' '; cols + 12];
    let mut free = 0;
    let mut k = 0.0;
    while k * step <= span + 1e-9 {
        let value = k * step;
        let label = if by_time {
            format!("{:.*}", decimals, start as f64 / 1e9 + value)
        } else {
            format!("{}", value as u64)
        };
        k += 1.0;
        // Where the value's column is; a label that would run past the chart ends at its edge.
        let c =
            (((value / span) * cols as f64).floor() as usize).min(room.saturating_sub(label.chars().count()));
        if c < free {
            continue;
        }
        for (i, ch) in label.chars().enumerate() {
            if let Some(slot) = line.get_mut(c + i) {
                *slot = ch;
            }
        }
        free = c + label.chars().count() + 2;
    }
    let text: String = line.into_iter().collect();
    format!("{:w$} {}  {}\n", "", text.trim_end(), unit, w = label_width)
}

/// A string as the inside of a JSON string literal.
pub(super) fn json_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// A name as a row label: control characters shown as `?`, cut to `width` characters with `…`.
fn fit(name: &str, width: usize) -> String {
    let clean: String = name.chars().map(|c| if c.is_control() { '?' } else { c }).collect();
    if clean.chars().count() <= width {
        return clean;
    }
    let mut cut: String = clean.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}
