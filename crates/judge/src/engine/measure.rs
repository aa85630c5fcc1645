//! Measurements of the placed car against map lines.

use crate::course::{Line, LineKind};
use crate::geom::{Aabb, dist_point_polyline, polygon_crosses_polyline};
use crate::vehicle::Footprint;

/// Bounding box of the body, grown by `m`.
pub(crate) fn body_box(fp: &Footprint, m: f64) -> Aabb {
    Aabb::around(&fp.body).grow(m)
}

/// Whether any wheel contact point is within `touch` metres of a line of one of `kinds`.
pub(crate) fn wheel_on<'l>(
    fp: &Footprint,
    lines: impl Iterator<Item = &'l Line>,
    kinds: &[LineKind],
    touch: f64,
) -> bool {
    let bb = body_box(fp, touch);
    lines.filter(|l| kinds.contains(&l.kind)).any(|l| {
        l.runs_near(&bb).any(|(b, run)| {
            let near = b.grow(touch);
            fp.wheels
                .iter()
                .any(|&w| near.contains(w) && dist_point_polyline(w, run) <= touch)
        })
    })
}

/// Whether the body outline crosses or touches a line of one of `kinds`.
pub(crate) fn body_over<'l>(
    fp: &Footprint,
    lines: impl Iterator<Item = &'l Line>,
    kinds: &[LineKind],
) -> bool {
    let bb = body_box(fp, 0.0);
    lines.filter(|l| kinds.contains(&l.kind)).any(|l| {
        l.runs_near(&bb)
            .any(|(_, run)| polygon_crosses_polyline(&fp.body, run))
    })
}

/// Gap from the right side of the body to the nearest edge line on the car's right, metres
/// (the larger of the front-right and rear-right corner distances); `None` when there is none within 5 m.
pub(crate) fn right_edge_gap<'l>(
    fp: &Footprint,
    lines: impl Iterator<Item = &'l Line>,
) -> Option<f64> {
    let right = fp.forward.perp() * -1.0;
    let bb = body_box(fp, 5.0);
    let mut best: Option<f64> = None;
    for l in lines.filter(|l| l.kind == LineKind::Edge && l.bbox.overlaps(&bb)) {
        let [fr, rr] = fp.right_side();
        // The line must lie on the right: stepping right from the mid-right side gets closer to it.
        let mid = (fr + rr) * 0.5;
        let d_mid = dist_point_polyline(mid, &l.pts);
        if dist_point_polyline(mid + right * 0.01, &l.pts) >= d_mid && d_mid > 0.0 {
            continue;
        }
        let gap = dist_point_polyline(fr, &l.pts).max(dist_point_polyline(rr, &l.pts));
        if gap <= 5.0 {
            best = Some(best.map_or(gap, |b: f64| b.min(gap)));
        }
    }
    best
}
