//! Hand-written SVG: the DET curve and the explanation picture.

use anyhow::Result;
use base64::Engine;
use scoring::{Explanation, GrayImage, Template};
use std::fmt::Write;

const COLOURS: [&str; 3] = ["#c0392b", "#2471a3", "#229954"];

/// A DET plot (FNMR against FMR, both on log axes from 0.01 % to 100 %).
pub fn det(curves: &[(String, Vec<(f64, f64)>)]) -> String {
    let (w, h, m) = (560.0, 480.0, 60.0);
    let lo = 1e-4f64.log10();
    let sx = |v: f64| m + (v.max(1e-4).log10() - lo) / -lo * (w - 2.0 * m);
    let sy = |v: f64| h - m - (v.max(1e-4).log10() - lo) / -lo * (h - 2.0 * m);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    for (k, label) in ["0.01%", "0.1%", "1%", "10%", "100%"].iter().enumerate() {
        let v = 10f64.powi(k as i32 - 4);
        let _ = writeln!(
            s,
            r##"<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="#ddd"/><text x="{0}" y="{3}" text-anchor="middle">{label}</text>"##,
            sx(v),
            m,
            h - m,
            h - m + 16.0
        );
        let _ = writeln!(
            s,
            r##"<line x1="{1}" y1="{0}" x2="{2}" y2="{0}" stroke="#ddd"/><text x="{3}" y="{4}" text-anchor="end">{label}</text>"##,
            sy(v),
            m,
            w - m,
            m - 6.0,
            sy(v) + 4.0
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">FMR (false match rate)</text>"#,
        w / 2.0,
        h - 20.0
    );
    let _ = writeln!(
        s,
        r#"<text x="16" y="{}" transform="rotate(-90 16 {})" text-anchor="middle">FNMR (false non-match rate)</text>"#,
        h / 2.0,
        h / 2.0
    );
    for (i, (name, pts)) in curves.iter().enumerate() {
        let c = COLOURS[i % COLOURS.len()];
        let path: Vec<String> = pts
            .iter()
            .map(|&(fmr, fnmr)| format!("{:.1},{:.1}", sx(fmr), sy(fnmr)))
            .collect();
        let _ = writeln!(
            s,
            r#"<polyline fill="none" stroke="{c}" stroke-width="2" points="{}"/>"#,
            path.join(" ")
        );
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" fill="{c}">{}</text>"#,
            m + 10.0,
            m + 16.0 * (i as f64 + 1.0),
            xml(name)
        );
    }
    s.push_str("</svg>\n");
    s
}

fn xml(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn png_uri(img: &GrayImage) -> Result<String> {
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
    Ok(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&png)
    ))
}

fn minutiae(s: &mut String, t: &Template, dx: f64, colour: &str) {
    for m in &t.minutiae {
        let (x, y) = (m.x as f64 + dx, m.y as f64);
        let a = m.angle_rad() as f64;
        let (ex, ey) = (x + 10.0 * a.cos(), y - 10.0 * a.sin());
        let _ = writeln!(
            s,
            r#"<circle cx="{x}" cy="{y}" r="4" fill="none" stroke="{colour}"/><line x1="{x}" y1="{y}" x2="{ex:.1}" y2="{ey:.1}" stroke="{colour}"/>"#
        );
    }
}

/// Both images side by side at 500 ppi, all minutiae marked, and the paired ones joined by lines.
pub fn explain(
    a: &GrayImage,
    ta: &Template,
    b: &GrayImage,
    tb: &Template,
    e: &Explanation,
    verdict: &str,
) -> Result<String> {
    let gap = 20.0;
    let dx = a.width() as f64 + gap;
    let w = dx + b.width() as f64;
    let h = a.height().max(b.height()) as f64 + 30.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="14">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<image x="0" y="0" width="{}" height="{}" href="{}"/>"#,
        a.width(),
        a.height(),
        png_uri(a)?
    );
    let _ = writeln!(
        s,
        r#"<image x="{dx}" y="0" width="{}" height="{}" href="{}"/>"#,
        b.width(),
        b.height(),
        png_uri(b)?
    );
    minutiae(&mut s, ta, 0.0, "#2471a3");
    minutiae(&mut s, tb, dx, "#2471a3");
    for p in &e.pairs {
        let (ma, mb) = (ta.minutiae[p.a], tb.minutiae[p.b]);
        let _ = writeln!(
            s,
            r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#c0392b" stroke-width="1.5" opacity="{:.2}"/>"##,
            ma.x,
            ma.y,
            mb.x as f64 + dx,
            mb.y,
            0.4 + 0.6 * p.weight
        );
        let _ = writeln!(
            s,
            r##"<circle cx="{}" cy="{}" r="5" fill="none" stroke="#c0392b" stroke-width="2"/><circle cx="{}" cy="{}" r="5" fill="none" stroke="#c0392b" stroke-width="2"/>"##,
            ma.x,
            ma.y,
            mb.x as f64 + dx,
            mb.y
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="4" y="{}">score {:.3}: {verdict} ({} paired minutiae)</text>"#,
        h - 10.0,
        e.score.0,
        e.pairs.len()
    );
    s.push_str("</svg>\n");
    Ok(s)
}
