//! Writes the extraction stages of one image side by side as a PNG, minutiae marked:
//! `cargo run -p scoring --example stages -- in.tif out.png [ppi]` (set CROP=x,y,w,h and ZOOM=n to enlarge a part).
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&a[1]).unwrap();
    let ppi: u32 = a.get(3).map(|s| s.parse().unwrap()).unwrap_or(500);
    let img = scoring::decode_image(&bytes, scoring::Limits::default()).unwrap();
    let st = scoring::debug_stages(&img, ppi).unwrap();
    let t = scoring::extract(&img, ppi);
    let (w, h) = (st[0].width(), st[0].height());
    let mut out = image::RgbImage::new(3 * w, h);
    for (k, s) in st.iter().enumerate() {
        for (x, y, p) in s.enumerate_pixels() {
            out.put_pixel(x + k as u32 * w, y, image::Rgb([p[0], p[0], p[0]]));
        }
    }
    if let Ok(t) = t {
        eprintln!(
            "{} minutiae, quality {}, cylinders {}",
            t.minutiae.len(),
            t.quality,
            scoring::Prepared::new(&t).cylinder_count()
        );
        for m in &t.minutiae {
            let c = if m.kind == scoring::MinutiaKind::Ending {
                [255, 0, 0]
            } else {
                [0, 160, 255]
            };
            for k in 0..3u32 {
                let ox = k * w;
                for d in -2i32..=2 {
                    for (dx, dy) in [(d, -2), (d, 2), (-2, d), (2, d)] {
                        let (x, y) = (m.x as i32 + dx, m.y as i32 + dy);
                        if x >= 0 && y >= 0 && (x as u32) < w && (y as u32) < h {
                            out.put_pixel(ox + x as u32, y as u32, image::Rgb(c));
                        }
                    }
                }
                let an = m.angle_rad();
                for r in 3..9 {
                    let (x, y) = (
                        m.x as f32 + r as f32 * an.cos(),
                        m.y as f32 - r as f32 * an.sin(),
                    );
                    if x >= 0.0 && y >= 0.0 && (x as u32) < w && (y as u32) < h {
                        out.put_pixel(ox + x as u32, y as u32, image::Rgb(c));
                    }
                }
            }
        }
    } else {
        eprintln!("{:?}", t);
    }
    if let Ok(c) = std::env::var("CROP") {
        let v: Vec<u32> = c.split(',').map(|x| x.parse().unwrap()).collect();
        let sub = image::imageops::crop_imm(&out, v[0], v[1], v[2], v[3]).to_image();
        let z: u32 = std::env::var("ZOOM")
            .ok()
            .and_then(|z| z.parse().ok())
            .unwrap_or(3);
        let big = image::imageops::resize(
            &sub,
            v[2] * z,
            v[3] * z,
            image::imageops::FilterType::Nearest,
        );
        big.save(&a[2]).unwrap();
        return;
    }
    out.save(&a[2]).unwrap();
}
