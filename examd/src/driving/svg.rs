//! The replay picture: course map, trajectory, and the car's outline at each deduction. Pure.

use std::fmt::Write;

use judge::course::LineKind;
use judge::geom::Vec2;
use judge::telemetry::RecordBody;
use judge::{Record, Verdict};

use super::inputs::Setup;

fn esc(s: &str) -> String {
    crate::console::esc(s)
}

struct Frame {
    min: Vec2,
    max: Vec2,
    scale: f64,
}

impl Frame {
    fn p(&self, v: Vec2) -> (f64, f64) {
        (
            (v.x - self.min.x) * self.scale,
            (self.max.y - v.y) * self.scale,
        )
    }

    fn points(&self, pts: &[Vec2]) -> String {
        let mut s = String::new();
        for &v in pts {
            let (x, y) = self.p(v);
            let _ = write!(s, "{x:.1},{y:.1} ");
        }
        s.trim_end().to_owned()
    }
}

fn line_style(k: LineKind) -> (&'static str, &'static str) {
    match k {
        LineKind::Edge => ("#222", ""),
        LineKind::Garage => ("#1f5fbf", ""),
        LineKind::Control(_) => ("#8a2be2", "4 3"),
        LineKind::Stop => ("#d2691e", ""),
        LineKind::LaneSolid | LineKind::CentreSolid => ("#c9a400", ""),
        LineKind::LaneDashed | LineKind::CentreDashed => ("#c9a400", "6 6"),
    }
}

/// Draws the session. `title` heads the picture (the session id).
pub fn draw(setup: &Setup, records: &[Record], verdict: &Verdict, title: &str) -> String {
    let course = &setup.course;
    let samples: Vec<(u64, Vec2, f64)> = records
        .iter()
        .filter_map(|r| match &r.body {
            RecordBody::Sample(s) => Some((r.t_ms, s.pos, s.heading_deg)),
            RecordBody::Event(_) => None,
        })
        .collect();
    let all_lines = course
        .lines
        .iter()
        .chain(course.items.iter().flat_map(|i| i.lines.iter()));
    let mut pts: Vec<Vec2> = all_lines
        .clone()
        .flat_map(|l| l.pts.iter().copied())
        .collect();
    pts.extend(course.areas.iter().flat_map(|a| a.ring.iter().copied()));
    pts.extend(samples.iter().map(|s| s.1));
    if pts.is_empty() {
        pts.push(Vec2::new(0.0, 0.0));
    }
    let (mut min, mut max) = (pts[0], pts[0]);
    for p in &pts {
        min = Vec2::new(min.x.min(p.x), min.y.min(p.y));
        max = Vec2::new(max.x.max(p.x), max.y.max(p.y));
    }
    let margin = 5.0;
    min = Vec2::new(min.x - margin, min.y - margin);
    max = Vec2::new(max.x + margin, max.y + margin);
    let span = (max.x - min.x).max(max.y - min.y).max(1.0);
    let f = Frame {
        min,
        max,
        scale: 1000.0 / span,
    };
    let (w, h) = (
        ((max.x - min.x) * f.scale).ceil(),
        ((max.y - min.y) * f.scale).ceil() + 40.0,
    );
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fafafa\"/>\n\
         <title>{title}</title>\n",
        title = esc(title)
    );
    s.push_str("<g id=\"course\">\n");
    for a in &course.areas {
        let _ = writeln!(
            s,
            "<polygon class=\"area {}\" points=\"{}\" fill=\"#e8f4e8\" stroke=\"#9c9\"/>",
            a.kind.as_str(),
            f.points(&a.ring)
        );
    }
    for item in &course.items {
        if let Some(g) = &item.garage {
            let _ = writeln!(
                s,
                "<polygon class=\"garage\" points=\"{}\" fill=\"#e6eefc\" stroke=\"none\"/>",
                f.points(g)
            );
        }
        for t in item.start.iter().chain(item.end.iter()) {
            let _ = writeln!(
                s,
                "<polygon class=\"trigger\" points=\"{}\" fill=\"none\" stroke=\"#bbb\" stroke-dasharray=\"2 2\"/>",
                f.points(t)
            );
        }
        if let Some(&p) = item.lines.first().and_then(|l| l.pts.first()) {
            let (x, y) = f.p(p);
            let _ = writeln!(
                s,
                "<text x=\"{x:.1}\" y=\"{y:.1}\" fill=\"#555\">{}</text>",
                esc(&item.id)
            );
        }
    }
    for l in all_lines {
        let (colour, dash) = line_style(l.kind);
        let dash = if dash.is_empty() {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{dash}\"")
        };
        let _ = writeln!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\"{dash}/>",
            f.points(&l.pts)
        );
    }
    s.push_str("</g>\n");
    let track: Vec<Vec2> = samples.iter().map(|x| x.1).collect();
    let _ = writeln!(
        s,
        "<polyline id=\"trajectory\" points=\"{}\" fill=\"none\" stroke=\"#2a7\" stroke-width=\"1.2\"/>",
        f.points(&track)
    );
    s.push_str("<g id=\"deductions\">\n");
    for (i, d) in verdict.deductions.iter().enumerate() {
        // The car where it was when the deduction was made (last sample at or before it).
        let at = samples
            .iter()
            .rev()
            .find(|x| x.0 <= d.t_ms)
            .or(samples.first());
        let Some(&(_, pos, heading)) = at else {
            continue;
        };
        let fp = setup.vehicle.footprint(pos, heading);
        let _ = writeln!(
            s,
            "<polygon class=\"car\" data-code=\"{code}\" points=\"{}\" fill=\"rgba(220,40,40,0.25)\" stroke=\"#c00\"/>",
            f.points(&fp.body),
            code = esc(d.code.as_str())
        );
        let (x, y) = f.p(fp.front_bumper);
        let _ = writeln!(
            s,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" fill=\"#c00\">{n}. {code} −{pts}</text>",
            n = i + 1,
            code = esc(d.code.as_str()),
            pts = d.points
        );
    }
    s.push_str("</g>\n");
    let _ = writeln!(
        s,
        "<text x=\"8\" y=\"{y:.0}\" font-size=\"14\">{title} · 科目{subj} · {score} 分 · {verdict}</text>",
        y = h - 14.0,
        title = esc(title),
        subj = if verdict.subject.number() == 2 {
            "二"
        } else {
            "三"
        },
        score = verdict.score,
        verdict = if verdict.passed {
            "合格 / passed"
        } else {
            "不合格 / failed"
        }
    );
    s.push_str("</svg>\n");
    s
}
