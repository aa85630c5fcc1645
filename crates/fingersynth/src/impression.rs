//! Impressions: what a sensor captures when the finger of a [`Master`] touches it once.
//!
//! Every output pixel `p` is mapped back to a master pixel, then inked and degraded:
//!
//! 1. **Placement**: a rigid motion, `q₀ = R(−φ)(p − c_out − t) + c_master`.
//! 2. **Plastic distortion** (Cappelli, Maio, Maltoni, "Modelling plastic distortion in
//!    fingerprint images", ICAPR 2001): inside a close-contact ellipse the skin does not move;
//!    outside, it follows a small rigid motion `T` (rotation about the contact centre plus a
//!    shift); between, a brake `½(1 − cos(π d / K))` of the distance `d` from the ellipse blends
//!    the two: `q₁ = q₀ + (T(q₀) − q₀) · brake(d)`. Here it is used as the backward map, which is a
//!    distortion of the same family. A low-amplitude smooth displacement field is added on top.
//! 3. **Contact region**: the part of the finger that touched is an ellipse with a noisy border,
//!    off-centre and sized by pressure, intersected with the master's silhouette.
//! 4. **Pressure and dryness**: the ridge threshold moves with pressure; ridges always break up
//!    a little (random gaps of a few pixels), more so on a dry finger, which is also eroded (3×3
//!    grayscale erosion); heavy pressure dilates the ridges and smears ink into the valleys.
//! 5. **Sensor**: uneven ink, background shading, a 3×3 blur and Gaussian-like noise.

use crate::field::{Grid, SmoothNoise};
use crate::master::Master;
use crate::morph::{blur, dilate, erode};
use crate::rng::Rng;
use image::{GrayImage, Luma};
use std::f64::consts::PI;

/// Settings of [`Master::impression`]: ranges the per-impression values are drawn from.
/// Out-of-range values are clamped into the documented ranges.
#[derive(Debug, Clone, PartialEq)]
pub struct ImpressionParams {
    /// Output width, pixels (32..=2000; default 288, like FVC2002/2004 DB4).
    pub width: u32,
    /// Output height, pixels (32..=2000; default 384).
    pub height: u32,
    /// Largest shift of the finger on each axis, pixels (0..=200; default 40).
    pub max_translation: f64,
    /// Largest rotation of the finger, degrees (0..=180; default 15).
    pub max_rotation_deg: f64,
    /// Strength of the plastic distortion (0..=3; default 1: the skin outside the
    /// close-contact area turns by up to 4° and shifts by up to 10 pixels).
    pub distortion: f64,
    /// Range of pressure, from −1 (light, dry) to +1 (heavy, wet) (default −0.8..0.7).
    pub pressure: (f64, f64),
    /// Range of the fraction of the finger area that touches the sensor (0.2..=1; default 0.4..0.85).
    pub contact: (f64, f64),
    /// Standard deviation of the sensor noise, gray levels (0..=60; default 11).
    pub noise: f64,
}

impl Default for ImpressionParams {
    fn default() -> Self {
        Self {
            width: 288,
            height: 384,
            max_translation: 40.0,
            max_rotation_deg: 15.0,
            distortion: 1.0,
            pressure: (-0.8, 0.7),
            contact: (0.4, 0.85),
            noise: 11.0,
        }
    }
}

impl ImpressionParams {
    /// FVC-like captures (the default): large placement changes, partial contact, dry and wet
    /// fingers. With the project's matcher the error rates land among those of the FVC2002 sets.
    pub fn fvc() -> Self {
        Self::default()
    }

    /// A cooperative user on a gate sensor: the finger placed near the centre, mostly in full
    /// contact, mild skin conditions. Meant for demos and tests where a genuine finger should pass.
    pub fn cooperative() -> Self {
        Self {
            max_translation: 10.0,
            max_rotation_deg: 6.0,
            distortion: 0.5,
            pressure: (-0.3, 0.4),
            contact: (0.75, 0.95),
            noise: 6.0,
            ..Self::default()
        }
    }

    fn clamped(&self) -> Self {
        let range = |(a, b): (f64, f64), lo: f64, hi: f64| {
            let a = a.clamp(lo, hi);
            (a, b.clamp(a, hi))
        };
        Self {
            width: self.width.clamp(32, 2000),
            height: self.height.clamp(32, 2000),
            max_translation: self.max_translation.clamp(0.0, 200.0),
            max_rotation_deg: self.max_rotation_deg.clamp(0.0, 180.0),
            distortion: self.distortion.clamp(0.0, 3.0),
            pressure: range(self.pressure, -1.0, 1.0),
            contact: range(self.contact, 0.2, 1.0),
            noise: self.noise.clamp(0.0, 60.0),
        }
    }
}

/// Stage labels for [`Rng::fork`]; fixed forever.
mod stage {
    pub const PLACEMENT: u64 = 11;
    pub const DISTORTION: u64 = 12;
    pub const CONTACT: u64 = 13;
    pub const SKIN: u64 = 14;
    pub const SENSOR: u64 = 15;
}

/// The backward map from output pixels to master pixels (steps 1 and 2).
#[derive(Debug)]
struct Warp {
    out_cx: f64,
    out_cy: f64,
    master_cx: f64,
    master_cy: f64,
    shift: (f64, f64),
    cos_sin: (f64, f64),
    contact_cx: f64,
    contact_cy: f64,
    close_rx: f64,
    close_ry: f64,
    brake_width: f64,
    outer_cos_sin: (f64, f64),
    outer_shift: (f64, f64),
    wobble: (SmoothNoise, SmoothNoise),
    wobble_amplitude: f64,
}

impl Warp {
    fn map(&self, x: f64, y: f64) -> (f64, f64) {
        let (c, s) = self.cos_sin;
        let (dx, dy) = (
            x - self.out_cx - self.shift.0,
            y - self.out_cy - self.shift.1,
        );
        let qx = c * dx + s * dy + self.master_cx;
        let qy = -s * dx + c * dy + self.master_cy;
        // Plastic distortion around the close-contact ellipse.
        let (ex, ey) = (qx - self.contact_cx, qy - self.contact_cy);
        let norm = ((ex / self.close_rx).powi(2) + (ey / self.close_ry).powi(2)).sqrt();
        let d = (norm - 1.0).max(0.0) * 0.5 * (self.close_rx + self.close_ry);
        let brake = if d >= self.brake_width {
            1.0
        } else {
            0.5 * (1.0 - (PI * d / self.brake_width).cos())
        };
        let (oc, os) = self.outer_cos_sin;
        let tx = oc * ex - os * ey + self.contact_cx + self.outer_shift.0;
        let ty = os * ex + oc * ey + self.contact_cy + self.outer_shift.1;
        let a = self.wobble_amplitude;
        (
            qx + (tx - qx) * brake + a * self.wobble.0.at(qx, qy),
            qy + (ty - qy) * brake + a * self.wobble.1.at(qx, qy),
        )
    }
}

impl Master {
    /// One impression of this finger, `params.width × params.height` at 500 ppi. The same master,
    /// parameters and seed always give the same image.
    pub fn impression(&self, params: &ImpressionParams, seed: u64) -> GrayImage {
        let p = params.clamped();
        let (w, h) = (p.width as usize, p.height as usize);
        let mut root = Rng::new(seed);
        let sil = self.silhouette().clone();

        let mut rng = root.fork(stage::PLACEMENT);
        let angle = rng.sym(p.max_rotation_deg).to_radians();
        let shift = (rng.sym(p.max_translation), rng.sym(p.max_translation));

        let mut rng = root.fork(stage::DISTORTION);
        let contact_cx = sil.cx + rng.sym(0.12 * sil.half_width);
        let contact_cy = sil.cy + rng.sym(0.12 * sil.top);
        let outer_angle = (rng.sym(4.0) * p.distortion).to_radians();
        let warp = Warp {
            out_cx: w as f64 / 2.0,
            out_cy: h as f64 / 2.0,
            master_cx: sil.cx,
            master_cy: sil.cy,
            shift,
            cos_sin: (angle.cos(), angle.sin()),
            contact_cx,
            contact_cy,
            close_rx: rng.range(0.25, 0.4) * sil.half_width,
            close_ry: rng.range(0.2, 0.35) * sil.top,
            brake_width: rng.range(60.0, 110.0),
            outer_cos_sin: (outer_angle.cos(), outer_angle.sin()),
            outer_shift: (rng.sym(10.0) * p.distortion, rng.sym(10.0) * p.distortion),
            wobble: (
                SmoothNoise::new(&mut rng, 6, 90.0, 220.0),
                SmoothNoise::new(&mut rng, 6, 90.0, 220.0),
            ),
            wobble_amplitude: 1.5 * p.distortion,
        };

        let mut rng = root.fork(stage::CONTACT);
        let pressure = rng.range(p.pressure.0, p.pressure.1 + 1e-12);
        let contact = rng.range(p.contact.0, p.contact.1 + 1e-12);
        // More pressure, more skin on the glass.
        let fraction = (contact * (1.0 + 0.15 * pressure)).clamp(0.15, 1.0);
        let grow = fraction.sqrt();
        let (crx, cry_top, cry_bottom) = (
            sil.half_width * grow * rng.range(0.95, 1.1),
            sil.top * grow * rng.range(0.95, 1.1),
            sil.bottom * grow * rng.range(0.8, 1.0),
        );
        let (ccx, ccy) = (
            sil.cx + rng.sym(0.15 * sil.half_width * (1.0 - grow + 0.3)),
            sil.cy + rng.sym(0.15 * sil.top * (1.0 - grow + 0.3)),
        );
        let border = SmoothNoise::new(&mut rng, 8, 80.0, 220.0);

        // Steps 1–3: sample the master.
        let mut ink = Grid::filled(w, h, 0.0);
        let mut area = Grid::filled(w, h, 0.0);
        let bias = 0.25 * pressure as f32;
        for y in 0..h {
            for x in 0..w {
                let (qx, qy) = warp.map(x as f64, y as f64);
                let a = self.mask().sample(qx as f32, qy as f32, 0.0);
                if a <= 0.0 {
                    continue;
                }
                let (ex, ey) = (qx - ccx, qy - ccy);
                let ry = if ey < 0.0 { cry_top } else { cry_bottom };
                let norm =
                    ((ex / crx).powi(2) + (ey / ry).powi(2)).sqrt() + 0.03 * border.at(qx, qy);
                let touch = ((1.0 - norm) * 0.5 * (crx + ry) / 6.0).clamp(0.0, 1.0) as f32;
                let i = y * w + x;
                area.data[i] = a * touch;
                let r = self.ridges().sample(qx as f32, qy as f32, 0.0) + bias;
                ink.data[i] = smoothstep(-0.7, 0.7, r);
            }
        }

        // Step 4: skin condition. Ridges always break up a little (pores, skin texture); a dry
        // finger breaks them more and thins them, a wet one thickens them and smears the valleys.
        let mut rng = root.fork(stage::SKIN);
        let dryness = (-pressure).max(0.0) as f32;
        let wetness = pressure.max(0.0) as f32;
        // A 3×3-blurred uniform field has mean 0.5 and deviation ≈ 0.108: a cut at 0.63 removes
        // about 11 % of the ridge pixels, at 0.55 about 32 %.
        let speckle = blur(&Grid::from_fn(w, h, |_, _| rng.unit() as f32));
        let cut = 0.63 - 0.08 * dryness;
        let smear = blur(&Grid::from_fn(w, h, |_, _| rng.unit() as f32));
        let smear_cut = 0.82 - 0.1 * wetness;
        for ((v, s), m) in ink.data.iter_mut().zip(&speckle.data).zip(&smear.data) {
            *v *= 1.0 - smoothstep(cut, cut + 0.04, *s);
            *v = v.max(0.8 * smoothstep(smear_cut, smear_cut + 0.04, *m));
        }
        if dryness > 0.5 {
            ink = erode(&ink);
        } else if wetness > 0.6 {
            ink = dilate(&ink);
        }

        // Step 5: sensor.
        let mut rng = root.fork(stage::SENSOR);
        let background = rng.range(180.0, 225.0) as f32;
        let dark = rng.range(10.0, 60.0) as f32;
        let shading = SmoothNoise::new(&mut rng, 6, 150.0, 400.0);
        let unevenness = SmoothNoise::new(&mut rng, 8, 30.0, 120.0);
        let mut gray = Grid::from_fn(w, h, |x, y| {
            let i = y * w + x;
            let (xf, yf) = (x as f64, y as f64);
            let strength = (0.8 + 0.2 * unevenness.at(xf, yf)).clamp(0.3, 1.0) as f32;
            let bg = background + 8.0 * shading.at(xf, yf) as f32;
            bg - (bg - dark) * ink.data[i] * area.data[i] * strength
        });
        gray = blur(&gray);
        let sigma = p.noise;
        GrayImage::from_fn(p.width, p.height, |x, y| {
            let v = f64::from(gray.at(x as usize, y as usize)) + sigma * rng.normal();
            Luma([v.round().clamp(0.0, 255.0) as u8])
        })
    }
}

fn smoothstep(lo: f32, hi: f32, v: f32) -> f32 {
    let t = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_brake_leaves_the_close_contact_area_alone() {
        let mut rng = Rng::new(1);
        let warp = Warp {
            out_cx: 0.0,
            out_cy: 0.0,
            master_cx: 0.0,
            master_cy: 0.0,
            shift: (0.0, 0.0),
            cos_sin: (1.0, 0.0),
            contact_cx: 0.0,
            contact_cy: 0.0,
            close_rx: 50.0,
            close_ry: 60.0,
            brake_width: 80.0,
            outer_cos_sin: (0.05f64.cos(), 0.05f64.sin()),
            outer_shift: (5.0, -3.0),
            wobble: (
                SmoothNoise::new(&mut rng, 1, 100.0, 100.0),
                SmoothNoise::new(&mut rng, 1, 100.0, 100.0),
            ),
            wobble_amplitude: 0.0,
        };
        assert_eq!(warp.map(10.0, -20.0), (10.0, -20.0));
        // Far outside, the full rigid motion applies.
        let (x, y) = warp.map(200.0, 0.0);
        let want = (200.0 * 0.05f64.cos() + 5.0, 200.0 * 0.05f64.sin() - 3.0);
        assert!((x - want.0).abs() < 1e-9 && (y - want.1).abs() < 1e-9);
        // In the transition, part of it.
        let (x, _) = warp.map(90.0, 0.0);
        assert!(x > 90.0 && x < 90.0 * 0.05f64.cos() + 5.0, "{x}");
    }
}
