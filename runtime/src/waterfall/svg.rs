//! The SVG drawing of a [`Timeline`]: one lane per stage over time, and the grid itself,
//! animated.

use core::fmt::Write as _;
use core::time::Duration;

use super::timeline::Timeline;

impl Timeline {
    /// Draws the run as an SVG image: one lane per stage, time running to the right, one
    /// rectangle per cell labelled with its item number and coloured by item, so an item
    /// can be followed down the stages like the Python original's animation.
    ///
    /// Each cell is a `<rect class="cell" data-stage=".." data-item="..">` with a
    /// `<title>` giving its times; cells that never finished are drawn up to the end of the
    /// timeline with a dashed outline and `data-end=""`.
    ///
    /// Below it, the grid itself (stages down, items across, as in the Python original's animation):
    /// one `<rect class="grid-cell">` per position, grey until the cell starts, yellow
    /// while it runs, green once it finished. Viewers that play SVG animation (browsers)
    /// replay the run, slowed to at least four seconds; others show the final state.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use std::time::Duration;
    /// use futures::StreamExt;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let wf = ayutil::Waterfall::<u64>::new()
    ///     .stage("load", NonZeroUsize::MAX, |ms| async move {
    ///         tokio::time::sleep(Duration::from_millis(ms)).await;
    ///         ms
    ///     })
    ///     .stage("save <db>", NonZeroUsize::MAX, |ms| async move { ms });
    /// let mut run = wf.run([5, 15, 10]);
    /// while run.next().await.is_some() {}
    /// let svg = run.timeline().to_svg();
    /// assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    /// assert_eq!(svg.matches(r#"<rect class="cell""#).count(), 6, "one per cell");
    /// assert!(svg.contains(r#"data-stage="1" data-item="2""#));
    /// assert!(svg.contains("save &lt;db&gt;"), "names are escaped");
    /// # }
    /// ```
    pub fn to_svg(&self) -> String {
        const LEFT: f64 = 130.0;
        const TOP: f64 = 40.0;
        const WIDTH: f64 = 760.0;
        const TRACK: f64 = 22.0;
        const LANE_GAP: f64 = 12.0;

        let end = self.makespan().max(Duration::from_nanos(1));
        let scale = WIDTH / end.as_secs_f64();
        let x_of = |d: Duration| LEFT + d.as_secs_f64() * scale;

        // Stack the overlapping cells of each stage on separate tracks.
        let mut track_of = vec![0usize; self.cells().len()];
        let mut tracks_per_stage = vec![1usize; self.stage_names().len()];
        for (stage, tracks) in tracks_per_stage.iter_mut().enumerate() {
            let mut track_ends: Vec<Duration> = Vec::new();
            for (i, cell) in self
                .cells()
                .iter()
                .enumerate()
                .filter(|(_, c)| c.stage == stage)
            {
                let cell_end = cell.end.unwrap_or(end);
                let track = match track_ends.iter().position(|&e| e <= cell.start) {
                    Some(t) => t,
                    None => {
                        track_ends.push(Duration::ZERO);
                        track_ends.len() - 1
                    }
                };
                track_ends[track] = cell_end;
                track_of[i] = track;
            }
            *tracks = track_ends.len().max(1);
        }
        let mut lane_top = Vec::with_capacity(self.stage_names().len());
        let mut y = TOP;
        for &tracks in &tracks_per_stage {
            lane_top.push(y);
            y += tracks as f64 * TRACK + LANE_GAP;
        }
        // The grid panel: stages down, items across.
        const SQUARE: f64 = 26.0;
        let grid_top = y + 40.0;
        let grid_cols = self.items().min(40);
        let height = grid_top + self.stage_names().len() as f64 * SQUARE + 20.0;
        let total_width = (LEFT + WIDTH + 30.0).max(LEFT + grid_cols as f64 * SQUARE + 30.0);

        let mut svg = String::new();
        let _ = writeln!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{total_width:.0}" height="{height:.0}" viewBox="0 0 {total_width:.0} {height:.0}" font-family="sans-serif" font-size="11">"#
        );
        let _ = writeln!(
            svg,
            r#"<rect class="background" width="100%" height="100%" fill="white"/>"#
        );
        let _ = writeln!(
            svg,
            r#"<text x="{LEFT}" y="20" font-size="13">waterfall: {} stages x {} items, makespan {:?}, critical path {:?}</text>"#,
            self.stage_names().len(),
            self.items(),
            self.makespan(),
            self.critical_path()
        );
        for (stage, name) in self.stage_names().iter().enumerate() {
            let top = lane_top[stage];
            let lane_height = tracks_per_stage[stage] as f64 * TRACK;
            let _ = writeln!(
                svg,
                r##"<rect class="lane" x="{LEFT}" y="{top:.1}" width="{WIDTH}" height="{lane_height:.1}" fill="#f3f3f3"/>"##
            );
            let _ = writeln!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                LEFT - 8.0,
                top + lane_height / 2.0 + 4.0,
                escape(name)
            );
        }
        // Time axis: five ticks.
        let axis_y = y - LANE_GAP + 4.0;
        for tick in 0..=5 {
            let t = end.mul_f64(f64::from(tick) / 5.0);
            let x = x_of(t);
            let _ = writeln!(
                svg,
                r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{axis_y:.1}" stroke="#ccc"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{:.3}s</text>"##,
                axis_y + 14.0,
                t.as_secs_f64()
            );
        }
        for (i, cell) in self.cells().iter().enumerate() {
            let Some(&top) = lane_top.get(cell.stage) else {
                continue;
            };
            let x = x_of(cell.start);
            let w = (x_of(cell.end.unwrap_or(end)) - x).max(1.0);
            let y = top + track_of[i] as f64 * TRACK + 2.0;
            let hue = (cell.item * 360) / self.items().max(1);
            let (stroke, end_attr, end_text) = match cell.end {
                Some(e) => (
                    "stroke=\"#333\"".to_owned(),
                    format!("{:.6}", e.as_secs_f64()),
                    format!("{e:?}"),
                ),
                None => (
                    "stroke=\"#c00\" stroke-dasharray=\"4 2\"".to_owned(),
                    String::new(),
                    "dropped".to_owned(),
                ),
            };
            let _ = writeln!(
                svg,
                r#"<rect class="cell" data-stage="{}" data-item="{}" data-start="{:.6}" data-end="{end_attr}" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{:.1}" fill="hsl({hue},70%,70%)" {stroke}><title>{} / item {}: {:?} - {end_text}</title></rect>"#,
                cell.stage,
                cell.item,
                cell.start.as_secs_f64(),
                TRACK - 4.0,
                escape(self.stage_names().get(cell.stage).map_or("", String::as_str)),
                cell.item,
                cell.start,
            );
            let _ = writeln!(
                svg,
                r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
                x + 3.0,
                y + TRACK / 2.0 + 2.0,
                cell.item
            );
        }
        self.grid_panel(&mut svg, LEFT, grid_top, SQUARE, grid_cols, end);
        svg.push_str("</svg>\n");
        svg
    }

    /// Writes the grid panel of [`Timeline::to_svg`]: one square per (stage, item), its
    /// colour animated from "waiting" to "running" to "done".
    fn grid_panel(
        &self,
        svg: &mut String,
        left: f64,
        top: f64,
        square: f64,
        cols: usize,
        end: Duration,
    ) {
        const WAITING: &str = "#dddddd";
        const RUNNING: &str = "#ffd23f";
        const DONE: &str = "#7bc47f";
        // The run plays over `replay` seconds, then holds its final state for a quarter of
        // that before it starts again: key times are fractions of the whole loop.
        let replay = end.as_secs_f64().max(4.0);
        let dur = replay * 1.25;
        let at = |d: Duration| d.as_secs_f64() / end.as_secs_f64() / 1.25;
        let _ = writeln!(
            svg,
            r#"<text x="{left}" y="{:.1}">grid: stages down, items across (animated in browsers: grey waiting, yellow running, green done)</text>"#,
            top - 8.0
        );
        for (stage, name) in self.stage_names().iter().enumerate() {
            let _ = writeln!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                left - 8.0,
                top + stage as f64 * square + square / 2.0 + 4.0,
                escape(name)
            );
        }
        for stage in 0..self.stage_names().len() {
            for item in 0..cols {
                let cell = self
                    .cells()
                    .iter()
                    .find(|c| c.stage == stage && c.item == item);
                let x = left + item as f64 * square;
                let y = top + stage as f64 * square;
                let (fill, animation) = match cell {
                    None => (WAITING, String::new()),
                    Some(cell) => {
                        let start = at(cell.start);
                        let (values, key_times, fill) = match cell.end {
                            Some(e) => {
                                let stop = at(e).clamp(start, 1.0);
                                if start <= 0.0 {
                                    (format!("{RUNNING};{DONE}"), format!("0;{stop:.4}"), DONE)
                                } else {
                                    (
                                        format!("{WAITING};{RUNNING};{DONE}"),
                                        format!("0;{start:.4};{stop:.4}"),
                                        DONE,
                                    )
                                }
                            }
                            None if start <= 0.0 => (RUNNING.to_owned(), "0".to_owned(), RUNNING),
                            None => (
                                format!("{WAITING};{RUNNING}"),
                                format!("0;{start:.4}"),
                                RUNNING,
                            ),
                        };
                        let animation = format!(
                            r#"<animate attributeName="fill" calcMode="discrete" values="{values}" keyTimes="{key_times}" dur="{dur:.3}s" repeatCount="indefinite"/>"#
                        );
                        (fill, animation)
                    }
                };
                let _ = writeln!(
                    svg,
                    r##"<rect class="grid-cell" data-stage="{stage}" data-item="{item}" x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{fill}" stroke="#888">{animation}</rect>"##,
                    square - 3.0,
                    square - 3.0
                );
            }
        }
        for item in 0..cols {
            let _ = writeln!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{item}</text>"#,
                left + item as f64 * square + square / 2.0 - 1.5,
                top + self.stage_names().len() as f64 * square + 12.0
            );
        }
    }
}

/// Escapes text for XML content and attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(ch),
        }
    }
    out
}
