//! The interlock end to end: `gate::Interlock` + the driver + the simulated module over a pty.

use std::time::Duration;

use door_modbus::IoMap;
use gate::{Alarm, Command, Config, DenyReason, DoorId, GrantId, Input, Interlock, MonoMs, Output};
use tokio::time::Instant;

use crate::common::{bounded, rig};

const A: DoorId = DoorId::A;
const B: DoorId = DoorId::B;

/// The daemon's loop in miniature: poll, feed the interlock, execute its commands.
struct Site {
    lock: Interlock,
    driver: door_modbus::DoorDriver,
    start: Instant,
    log: Vec<Output>,
}

impl Site {
    fn now(&self) -> MonoMs {
        MonoMs(self.start.elapsed().as_millis() as u64)
    }

    async fn apply(&mut self, out: Vec<Output>) {
        for o in out {
            if let Output::Command(c) = o {
                self.driver.execute(c).await.ok();
            }
            self.log.push(o);
        }
    }

    async fn step(&mut self) {
        let mut out = self.lock.handle(self.now(), Input::Tick).unwrap();
        for input in self.driver.poll().await {
            out.extend(self.lock.handle(self.now(), input).unwrap());
        }
        self.apply(out).await;
    }

    /// Steps until `done` holds, or panics after 5 s.
    async fn until(&mut self, what: &str, mut done: impl FnMut(&Site) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !done(self) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; log: {:?}",
                self.log
            );
            self.step().await;
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn request(&mut self, door: DoorId, grant: u64) -> Vec<Output> {
        let out = self
            .lock
            .request_release(self.now(), door, GrantId(grant))
            .unwrap();
        self.apply(out.clone()).await;
        out
    }
}

fn released(out: &[Output], door: DoorId) -> bool {
    out.iter()
        .any(|o| matches!(o, Output::Command(Command::Release { door: d, .. }) if *d == door))
}

fn denied(out: &[Output]) -> Option<DenyReason> {
    out.iter().find_map(|o| match o {
        Output::Denied { reason, .. } => Some(*reason),
        _ => None,
    })
}

#[tokio::test]
async fn interlock_drives_the_simulated_gate() {
    bounded(30, async {
        let (pty, driver) = rig(IoMap::two_door_default()).await;
        let sim = pty.handle().clone();
        let lock = Interlock::new(Config {
            release_pulse_ms: 800,
            ..Config::two_doors()
        })
        .unwrap();
        let startup = lock.startup_commands();
        let mut site = Site {
            lock,
            driver,
            start: Instant::now(),
            log: Vec::new(),
        };
        site.apply(startup).await;

        // Nothing is released before the contacts are known.
        assert_eq!(
            denied(&site.request(A, 1).await),
            Some(DenyReason::StateUnknown { door: A })
        );
        site.until("contacts known", |s| s.driver.contact_closed(B).is_some())
            .await;
        site.step().await;

        // A is released; while it is released (closed still), B is refused.
        assert!(released(&site.request(A, 2).await, A));
        assert!(sim.released(A));
        assert_eq!(
            denied(&site.request(B, 3).await),
            Some(DenyReason::OtherDoorReleased { door: A })
        );
        // The candidate walks through A; while A stands open, B is refused.
        assert!(sim.push(A));
        site.until("A seen open", |s| s.driver.contact_closed(A) == Some(false))
            .await;
        let why = denied(&site.request(B, 4).await);
        assert!(
            matches!(
                why,
                Some(
                    DenyReason::OtherDoorOpen { door: A }
                        | DenyReason::OtherDoorReleased { door: A }
                )
            ),
            "{why:?}"
        );
        // The closer shuts A; the interlock relocks it on close, and the module's relay follows.
        site.until("A relocked", |_| !sim.released(A)).await;
        assert_eq!(site.driver.contact_closed(A), Some(true));
        assert!(released(&site.request(B, 5).await, B));
        let b_released = site.now();
        assert!(sim.push(B));
        site.until("B closed and relocked", |s| {
            s.driver.contact_closed(B) == Some(true) && !sim.released(B)
        })
        .await;
        // Reopening within the grant's window is a tailgating sign (gate rule I10): wait it out.
        site.until("grant window over", |s| s.now().since(b_released) > 900)
            .await;

        // A door forced open raises the alarm and blocks the other door.
        sim.force(B);
        site.until("forced-open alarm", |s| {
            s.log
                .contains(&Output::Alarm(Alarm::ForcedOpen { door: B }))
        })
        .await;
        assert_eq!(
            denied(&site.request(A, 6).await),
            Some(DenyReason::OtherDoorOpen { door: B })
        );
        sim.shut(B);
        site.until("B closed", |s| s.driver.contact_closed(B) == Some(true))
            .await;
        site.step().await;

        // Fire releases every door at once, interlock or not.
        sim.set_fire(true);
        site.until("fire override", |_| sim.released(A) && sim.released(B))
            .await;
        assert!(site.lock.fire_override());
        sim.set_fire(false);
        site.until("fire input cleared", |s| {
            s.driver.map().fire.is_some() && {
                s.log
                    .iter()
                    .any(|o| matches!(o, Output::Notice(gate::Notice::FireInputCleared)))
            }
        })
        .await;
        let out = site.lock.handle(site.now(), Input::ExaminerReset).unwrap();
        site.apply(out).await;
        site.until("relocked after reset", |_| {
            !sim.released(A) && !sim.released(B)
        })
        .await;

        // The module goes silent: no door may be released until it answers and the contacts are read again.
        sim.set_silent(true);
        site.until("comms lost", |s| !s.lock.comms_up()).await;
        assert_eq!(
            denied(&site.request(A, 7).await),
            Some(DenyReason::CommsLost)
        );
        sim.set_silent(false);
        site.until("comms back and contacts read", |s| {
            s.lock.comms_up() && s.driver.contact_closed(B).is_some()
        })
        .await;
        site.step().await;
        assert!(released(&site.request(A, 8).await, A));
    })
    .await;
}

#[tokio::test]
async fn exit_buttons_release_their_own_door_and_obey_the_interlock() {
    bounded(30, async {
        let (pty, driver) = rig(IoMap::two_door_default()).await;
        let sim = pty.handle().clone();
        let lock = Interlock::new(Config::two_doors()).unwrap();
        let mut site = Site {
            lock,
            driver,
            start: Instant::now(),
            log: Vec::new(),
        };
        site.until("contacts known", |s| s.driver.contact_closed(B).is_some())
            .await;
        site.step().await;

        // B stands open (forced): the button at A is refused.
        sim.force(B);
        sim.hold(B, true);
        site.until("B open", |s| s.driver.contact_closed(B) == Some(false))
            .await;
        sim.press_exit(A, gate::Side::Outer);
        site.until("A's button refused", |s| {
            s.log.iter().any(|o| {
                matches!(
                    o,
                    Output::Denied {
                        door: A,
                        reason: DenyReason::OtherDoorOpen { door: B },
                        ..
                    }
                )
            })
        })
        .await;
        assert!(!sim.released(A));

        // B closes; now the button releases A (and only A).
        sim.hold(B, false);
        sim.shut(B);
        site.until("B closed", |s| s.driver.contact_closed(B) == Some(true))
            .await;
        // A button held down is one press: wait until the first press is seen to end.
        let button = door_modbus::Signal::ExitButton(A, gate::Side::Outer);
        site.until("button let go", |s| {
            s.driver.input_active(button) == Some(false)
        })
        .await;
        sim.press_exit(A, gate::Side::Outer);
        site.until("A released by its button", |_| sim.released(A))
            .await;
        assert!(!sim.released(B));
    })
    .await;
}
