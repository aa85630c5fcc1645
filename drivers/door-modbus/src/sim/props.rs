//! Property test of the physical model: a door opens only when pushed while released, or forced; a module-timed
//! pulse always ends by itself on time.

use gate::{DoorId, Side};
use proptest::prelude::*;

use super::model::{DoorModule, SimConfig};
use crate::map::{IoMap, Pulse};

#[derive(Debug, Clone)]
enum Op {
    Wait(u64),
    Push(u8),
    Force(u8),
    Hold(u8, bool),
    Shut(u8),
    Coil(u8, bool),
    Pulse(u8, u16),
    Button(u8),
    Fire(bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u64..2_000).prop_map(Op::Wait),
        (0u8..2).prop_map(Op::Push),
        (0u8..2).prop_map(Op::Force),
        ((0u8..2), any::<bool>()).prop_map(|(d, h)| Op::Hold(d, h)),
        (0u8..2).prop_map(Op::Shut),
        ((0u8..2), any::<bool>()).prop_map(|(d, on)| Op::Coil(d, on)),
        ((0u8..2), 0u16..40).prop_map(|(d, n)| Op::Pulse(d, n)),
        (0u8..2).prop_map(Op::Button),
        any::<bool>().prop_map(Op::Fire),
    ]
}

fn module() -> DoorModule {
    let mut map = IoMap::two_door_default();
    for (i, d) in map.doors.iter_mut().enumerate() {
        d.lock.pulse = Pulse::Register {
            register: 0x100 + i as u16,
            unit_ms: 100,
        };
    }
    DoorModule::new(map, SimConfig::default())
}

proptest! {
    #[test]
    fn doors_open_only_when_released_and_pushed_or_forced(ops in prop::collection::vec(op(), 1..200)) {
        let mut m = module();
        let mut now = 0u64;
        // Per door: when the last module-timed pulse must end, if the coil was not touched since.
        let mut pulse_end: [Option<u64>; 2] = [None, None];
        for op in ops {
            if let Op::Wait(dt) = op {
                now += dt;
            }
            m.advance(now);
            for (i, end) in pulse_end.iter_mut().enumerate() {
                if let Some(e) = *end {
                    let released = m.released(DoorId(i as u8));
                    prop_assert_eq!(released, now < e, "door {} pulse ending at {} seen at {}", i, e, now);
                    if now >= e {
                        *end = None;
                    }
                }
            }
            let was_open = [m.is_open(DoorId::A), m.is_open(DoorId::B)];
            let was_released = [m.released(DoorId::A), m.released(DoorId::B)];
            let mut may_open: Option<u8> = None;
            match op {
                Op::Wait(_) => {}
                Op::Push(d) => {
                    if was_released[usize::from(d)] {
                        may_open = Some(d);
                    }
                    let opened = m.push(now, DoorId(d));
                    prop_assert_eq!(opened, was_open[usize::from(d)] || was_released[usize::from(d)]);
                }
                Op::Force(d) => {
                    may_open = Some(d);
                    m.force(now, DoorId(d));
                }
                Op::Hold(d, h) => m.hold(now, DoorId(d), h),
                Op::Shut(d) => m.shut(now, DoorId(d)),
                Op::Coil(d, on) => {
                    m.write_coil(now, u16::from(d), on).unwrap();
                    pulse_end[usize::from(d)] = None;
                }
                Op::Pulse(d, n) => {
                    m.write_register(now, 0x100 + u16::from(d), n).unwrap();
                    pulse_end[usize::from(d)] = (n > 0).then(|| now + u64::from(n) * 100);
                    if n == 0 {
                        prop_assert!(!m.released(DoorId(d)));
                    }
                }
                Op::Button(d) => m.press_exit(now, DoorId(d), Side::Outer),
                Op::Fire(f) => m.set_fire(f),
            }
            for d in 0..2u8 {
                if !was_open[usize::from(d)] && m.is_open(DoorId(d)) {
                    prop_assert_eq!(may_open, Some(d), "door {} opened without a release or force", d);
                }
            }
        }
    }
}
