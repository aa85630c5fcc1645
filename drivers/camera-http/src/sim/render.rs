//! The simulator's picture: a stylised head and shoulders whose colours and proportions derive from the
//! subject's seed, over a plain room, with a time bar (UTC `HH:MM:SS.mmm` in seven-segment digits) along the
//! bottom. Pure: the same scene gives the same pixels.

use image::{Rgb, RgbImage};

/// Picture width in pixels.
pub const WIDTH: u32 = 320;
/// Picture height in pixels.
pub const HEIGHT: u32 = 240;

/// What is in front of the camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scene {
    /// The person's seed (the same person looks the same in every picture), or nobody.
    pub subject: Option<u64>,
    /// The time the picture is stamped with, milliseconds since the Unix epoch.
    pub time_ms: u64,
}

/// SplitMix64: the simulator's own small generator, so a seed gives the same figure across dependency versions.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next() % u64::from(hi - lo + 1)) as u32
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const SKIN: [[u8; 3]; 6] = [
    [241, 194, 160],
    [224, 172, 130],
    [198, 140, 98],
    [160, 110, 75],
    [232, 190, 150],
    [205, 150, 110],
];
const HAIR: [[u8; 3]; 5] = [
    [25, 20, 18],
    [60, 40, 25],
    [95, 70, 40],
    [130, 130, 130],
    [40, 30, 50],
];
const SHIRT: [[u8; 3]; 7] = [
    [30, 60, 140],
    [150, 30, 40],
    [40, 110, 60],
    [90, 90, 100],
    [220, 220, 220],
    [200, 140, 30],
    [70, 40, 110],
];

/// Renders a scene.
pub fn render_scene(scene: &Scene) -> RgbImage {
    let mut img = RgbImage::from_fn(WIDTH, HEIGHT, |_, y| {
        // A wall getting slightly darker towards the floor.
        let shade = 200 - (y * 30 / HEIGHT) as u8;
        Rgb([shade, shade, shade.saturating_add(12)])
    });
    if let Some(seed) = scene.subject {
        draw_person(&mut img, seed);
    }
    draw_time_bar(&mut img, scene.time_ms);
    img
}

/// Encodes a picture as baseline JPEG, quality 85.
pub fn encode_jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(img)
        .expect("encoding an in-memory RGB picture cannot fail");
    out
}

fn fill_ellipse(
    img: &mut RgbImage,
    cx: i32,
    cy: i32,
    rx: i32,
    ry: i32,
    colour: [u8; 3],
    keep: impl Fn(i32, i32) -> bool,
) {
    for y in (cy - ry).max(0)..=(cy + ry).min(HEIGHT as i32 - 1) {
        for x in (cx - rx).max(0)..=(cx + rx).min(WIDTH as i32 - 1) {
            let (dx, dy) = (
                f64::from(x - cx) / f64::from(rx),
                f64::from(y - cy) / f64::from(ry),
            );
            if dx * dx + dy * dy <= 1.0 && keep(x, y) {
                img.put_pixel(x as u32, y as u32, Rgb(colour));
            }
        }
    }
}

fn draw_person(img: &mut RgbImage, seed: u64) {
    let mut rng = Mix(seed);
    let (skin, hair, shirt) = (rng.pick(&SKIN), rng.pick(&HAIR), rng.pick(&SHIRT));
    let cx = 160 + rng.range(0, 30) as i32 - 15;
    let head_rx = rng.range(34, 46) as i32;
    let head_ry = head_rx + rng.range(6, 16) as i32;
    let head_cy = 100 + rng.range(0, 16) as i32 - 8;
    let shoulder_rx = rng.range(95, 130) as i32;
    // Shoulders: the top half of a wide ellipse rising from below the picture.
    fill_ellipse(
        img,
        cx,
        HEIGHT as i32 + 10,
        shoulder_rx,
        85,
        shirt,
        |_, _| true,
    );
    // Neck.
    for y in head_cy + head_ry - 8..HEIGHT as i32 - 70 {
        for x in cx - head_rx / 3..=cx + head_rx / 3 {
            if (0..WIDTH as i32).contains(&x) && (0..HEIGHT as i32).contains(&y) {
                img.put_pixel(x as u32, y as u32, Rgb(skin));
            }
        }
    }
    fill_ellipse(img, cx, head_cy, head_rx, head_ry, skin, |_, _| true);
    // Hair: the head's upper part, the hairline set by the seed.
    let hairline = head_cy - head_ry / 2 + rng.range(0, 10) as i32 - 5;
    fill_ellipse(
        img,
        cx,
        head_cy - 3,
        head_rx + 3,
        head_ry + 3,
        hair,
        |_, y| y < hairline,
    );
    // Stylised eyes: two dark dots.
    let eye_dx = head_rx * 2 / 5;
    let eye_y = head_cy - head_ry / 8;
    for side in [-1, 1] {
        fill_ellipse(
            img,
            cx + side * eye_dx,
            eye_y,
            4,
            3,
            [35, 30, 30],
            |_, _| true,
        );
    }
    // Mouth: a short bar.
    let mouth_y = head_cy + head_ry / 2;
    for x in cx - head_rx / 3..=cx + head_rx / 3 {
        for y in mouth_y..mouth_y + 2 {
            img.put_pixel(x as u32, y as u32, Rgb([150, 60, 60]));
        }
    }
}

/// Segments a–g of each digit (bit 0 = a, top; then clockwise b, c, d, e, f; g the middle).
const DIGITS: [u8; 10] = [0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F];

fn draw_time_bar(img: &mut RgbImage, time_ms: u64) {
    let bar_top = HEIGHT - 18;
    for y in bar_top..HEIGHT {
        for x in 0..WIDTH {
            img.put_pixel(x, y, Rgb([0, 0, 0]));
        }
    }
    let day_ms = time_ms % 86_400_000;
    let (h, m, s, ms) = (
        day_ms / 3_600_000,
        day_ms / 60_000 % 60,
        day_ms / 1000 % 60,
        day_ms % 1000,
    );
    let text = format!("{h:02}:{m:02}:{s:02}.{ms:03}");
    let mut x = 8;
    for c in text.chars() {
        match c.to_digit(10) {
            Some(d) => {
                draw_digit(img, x, bar_top + 3, DIGITS[d as usize]);
                x += 12;
            }
            None => {
                // ':' and '.' as dots.
                let dots: &[u32] = if c == ':' { &[4, 10] } else { &[12] };
                for &dy in dots {
                    for (px, py) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                        img.put_pixel(x + px, bar_top + 2 + dy + py, Rgb([255, 255, 255]));
                    }
                }
                x += 5;
            }
        }
    }
}

fn draw_digit(img: &mut RgbImage, x0: u32, y0: u32, segments: u8) {
    // 8 wide, 12 tall; horizontal segments at rows 0, 6, 12 (a, g, d), vertical halves at columns 0 and 7.
    let white = Rgb([255, 255, 255]);
    let horizontal = |img: &mut RgbImage, row: u32| {
        for x in 1..7 {
            img.put_pixel(x0 + x, y0 + row, white);
        }
    };
    let vertical = |img: &mut RgbImage, col: u32, top: u32| {
        for y in top + 1..top + 6 {
            img.put_pixel(x0 + col, y0 + y, white);
        }
    };
    if segments & 0x01 != 0 {
        horizontal(img, 0);
    }
    if segments & 0x02 != 0 {
        vertical(img, 7, 0);
    }
    if segments & 0x04 != 0 {
        vertical(img, 7, 6);
    }
    if segments & 0x08 != 0 {
        horizontal(img, 12);
    }
    if segments & 0x10 != 0 {
        vertical(img, 0, 6);
    }
    if segments & 0x20 != 0 {
        vertical(img, 0, 0);
    }
    if segments & 0x40 != 0 {
        horizontal(img, 6);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scene_renders_the_same_every_time() {
        let scene = Scene {
            subject: Some(42),
            time_ms: 1_764_460_800_123,
        };
        assert_eq!(render_scene(&scene), render_scene(&scene));
        assert_eq!(
            encode_jpeg(&render_scene(&scene)),
            encode_jpeg(&render_scene(&scene))
        );
    }

    #[test]
    fn people_differ_and_the_time_shows() {
        let at = |subject, time_ms| render_scene(&Scene { subject, time_ms });
        assert_ne!(at(Some(1), 0), at(Some(2), 0));
        assert_ne!(at(None, 0), at(Some(1), 0));
        let (a, b) = (at(Some(1), 0), at(Some(1), 1_000));
        // Only the time bar changed.
        let changed: Vec<u32> = (0..HEIGHT)
            .filter(|&y| (0..WIDTH).any(|x| a.get_pixel(x, y) != b.get_pixel(x, y)))
            .collect();
        assert!(
            !changed.is_empty() && changed.iter().all(|&y| y >= HEIGHT - 18),
            "{changed:?}"
        );
    }

    #[test]
    fn the_person_is_in_the_middle_of_the_picture() {
        let empty = render_scene(&Scene {
            subject: None,
            time_ms: 0,
        });
        let person = render_scene(&Scene {
            subject: Some(9),
            time_ms: 0,
        });
        assert_eq!(empty.get_pixel(5, 5), person.get_pixel(5, 5));
        assert_ne!(
            empty.get_pixel(WIDTH / 2, 100),
            person.get_pixel(WIDTH / 2, 100)
        );
    }
}
