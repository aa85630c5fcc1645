//! The driver against the simulated module over a pty pair (and TCP).

use std::time::Duration;

use door_modbus::sim::{DoorModule, SimHandle};
use door_modbus::{DriverError, Endpoint, IoMap, LinkState, Pulse, RelayIntent, sim};
use gate::{Command, DoorId, Input, Side};
use tokio_modbus::client::Reader;

use crate::common::{bounded, expect_input, fast, poll_until, rig, sim_config};

const A: DoorId = DoorId::A;
const B: DoorId = DoorId::B;

fn closed(door: DoorId) -> Input {
    Input::Contact { door, closed: true }
}

fn open(door: DoorId) -> Input {
    Input::Contact {
        door,
        closed: false,
    }
}

#[tokio::test]
async fn release_lets_the_door_be_pushed_open_then_it_closes_and_relocks() {
    bounded(20, async {
        let (pty, mut driver) = rig(IoMap::two_door_default()).await;
        let sim = pty.handle().clone();
        let first = expect_input(&mut driver, closed(B)).await;
        assert!(
            first.contains(&closed(A)) && first.contains(&Input::Fire { active: false }),
            "{first:?}"
        );

        assert!(!sim.push(A), "a locked door does not open");
        driver
            .execute(Command::Release {
                door: A,
                pulse_ms: 5_000,
            })
            .await
            .unwrap();
        assert!(sim.released(A));
        assert!(matches!(driver.relay(A), Some(RelayIntent::Pulse { .. })));
        assert!(sim.push(A));
        expect_input(&mut driver, open(A)).await;
        assert_eq!(driver.contact_closed(A), Some(false));
        // The closer shuts it (300 ms).
        expect_input(&mut driver, closed(A)).await;
        driver.execute(Command::Relock { door: A }).await.unwrap();
        assert!(!sim.released(A));
        assert!(!sim.push(A));
        assert_eq!(driver.relay(A), Some(RelayIntent::Locked));
    })
    .await;
}

#[tokio::test]
async fn a_host_timed_pulse_is_ended_by_the_driver() {
    bounded(20, async {
        let (pty, mut driver) = rig(IoMap::two_door_default()).await;
        let sim = pty.handle().clone();
        driver
            .execute(Command::Release {
                door: B,
                pulse_ms: 150,
            })
            .await
            .unwrap();
        assert!(sim.released(B));
        poll_until(&mut driver, Duration::from_secs(5), |_| !sim.released(B)).await;
        assert_eq!(driver.relay(B), Some(RelayIntent::Locked));
    })
    .await;
}

#[tokio::test]
async fn a_module_timed_pulse_ends_even_if_the_daemon_is_gone() {
    bounded(20, async {
        let mut map = IoMap::two_door_default();
        map.doors[0].lock.pulse = Pulse::Register {
            register: 0x100,
            unit_ms: 100,
        };
        let (pty, mut driver) = rig(map).await;
        let sim = pty.handle().clone();
        driver
            .execute(Command::Release {
                door: A,
                pulse_ms: 200,
            })
            .await
            .unwrap();
        assert!(sim.released(A));
        drop(driver); // The daemon crashed mid-pulse.
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(sim.released(A), "still within the pulse");
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!sim.released(A), "the module relocked by itself");
    })
    .await;
}

#[tokio::test]
async fn a_silent_module_makes_every_door_unknown_until_it_answers_again() {
    bounded(20, async {
        let (pty, mut driver) = rig(IoMap::two_door_default()).await;
        let sim = pty.handle().clone();
        expect_input(&mut driver, closed(B)).await;
        assert_eq!(driver.link(), LinkState::Up);

        // Silent mid-cycle: a command goes unanswered first.
        sim.set_silent(true);
        let err = driver
            .execute(Command::Release {
                door: A,
                pulse_ms: 5_000,
            })
            .await
            .unwrap_err();
        assert!(matches!(err, DriverError::Timeout(250)), "{err}");
        assert_eq!(
            driver.relay(A),
            Some(RelayIntent::Locked),
            "a failed release is not remembered"
        );
        let seen = expect_input(&mut driver, Input::CommsLost).await;
        assert_eq!(seen.iter().filter(|i| **i == Input::CommsLost).count(), 1);
        assert_eq!(driver.link(), LinkState::Lost);
        assert_eq!(driver.contact_closed(A), None);
        assert_eq!(driver.contact_closed(B), None);

        sim.set_silent(false);
        let seen = expect_input(&mut driver, closed(B)).await;
        let restored = seen
            .iter()
            .position(|i| *i == Input::CommsRestored)
            .expect("restored");
        let contact = seen.iter().position(|i| *i == closed(B)).unwrap();
        assert!(
            restored < contact,
            "restored first, then the inputs again: {seen:?}"
        );
        assert_eq!(driver.contact_closed(A), Some(true));
    })
    .await;
}

#[tokio::test]
async fn a_module_that_never_answers_is_reported_lost() {
    bounded(20, async {
        let (pty, mut driver) = rig(IoMap::two_door_default()).await;
        pty.handle().set_silent(true);
        let seen = expect_input(&mut driver, Input::CommsLost).await;
        assert_eq!(seen, vec![Input::CommsLost]);
    })
    .await;
}

#[tokio::test]
async fn another_unit_id_gets_no_answer() {
    bounded(20, async {
        let map = IoMap::two_door_default();
        let handle = SimHandle::new(DoorModule::new(map.clone(), sim_config()));
        let pty = sim::SimPty::spawn(handle).unwrap();
        let endpoint: Endpoint = format!("modbus-rtu:{}/7", pty.path().display())
            .parse()
            .unwrap();
        let mut driver =
            door_modbus::DoorDriver::new(endpoint.connect().await.unwrap(), map, fast()).unwrap();
        expect_input(&mut driver, Input::CommsLost).await;
    })
    .await;
}

#[tokio::test]
async fn fire_tamper_and_exit_buttons_come_through_nc_wiring() {
    bounded(20, async {
        let (pty, mut driver) = rig(IoMap::two_door_default()).await;
        let sim = pty.handle().clone();
        expect_input(&mut driver, closed(B)).await;
        sim.set_fire(true);
        expect_input(&mut driver, Input::Fire { active: true }).await;
        sim.set_tamper(B, true);
        expect_input(&mut driver, Input::Tamper { door: B }).await;
        sim.press_exit(A, Side::Outer);
        let seen = expect_input(
            &mut driver,
            Input::ExitButton {
                door: A,
                side: Side::Outer,
            },
        )
        .await;
        assert_eq!(
            seen.iter()
                .filter(|i| matches!(i, Input::ExitButton { .. }))
                .count(),
            1
        );
        sim.set_fire(false);
        expect_input(&mut driver, Input::Fire { active: false }).await;
        // A forced door is just an open contact to the driver (the interlock calls it forced).
        sim.force(B);
        expect_input(&mut driver, open(B)).await;
    })
    .await;
}

#[tokio::test]
async fn relays_are_reasserted_when_something_else_flips_them() {
    bounded(20, async {
        let (pty, mut driver) = rig(IoMap::two_door_default()).await;
        let sim = pty.handle().clone();
        driver
            .execute(Command::HoldReleased { door: B })
            .await
            .unwrap();
        // A glitch (or another master) switches A on and B off behind the driver's back.
        sim.with(|m, now| {
            m.write_coil(now, 0, true).unwrap();
            m.write_coil(now, 1, false).unwrap();
        });
        poll_until(&mut driver, Duration::from_secs(5), |_| {
            !sim.released(A) && sim.released(B)
        })
        .await;
        assert_eq!(driver.relay(B), Some(RelayIntent::Held));
    })
    .await;
}

#[tokio::test]
async fn exceptions_are_kept_apart_from_link_failures() {
    bounded(20, async {
        let (pty, mut driver) = rig(IoMap::two_door_default()).await;
        let _ = pty;
        // The module has 16 coils: coil 40 is an illegal address, and the module says so.
        let r = driver.context_mut().read_coils(40, 1).await.unwrap();
        assert_eq!(r, Err(tokio_modbus::ExceptionCode::IllegalDataAddress));
    })
    .await;
}

#[tokio::test]
async fn the_same_driver_runs_over_modbus_tcp() {
    bounded(20, async {
        let map = IoMap::two_door_default();
        let handle = SimHandle::new(DoorModule::new(map.clone(), sim_config()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(sim::serve_tcp(listener, handle.clone()));
        let endpoint: Endpoint = format!("modbus-tcp:{addr}/1").parse().unwrap();
        let mut driver =
            door_modbus::DoorDriver::new(endpoint.connect().await.unwrap(), map, fast()).unwrap();
        expect_input(&mut driver, closed(B)).await;
        driver
            .execute(Command::Release {
                door: A,
                pulse_ms: 2_000,
            })
            .await
            .unwrap();
        assert!(handle.push(A));
        expect_input(&mut driver, open(A)).await;
        server.abort();
    })
    .await;
}

#[tokio::test]
async fn the_run_loop_reports_inputs_and_executes_commands() {
    bounded(20, async {
        let (pty, driver) = rig(IoMap::two_door_default()).await;
        let sim = pty.handle().clone();
        let (cmd_tx, cmd_rx) = tokio::sync::mpsc::channel(8);
        let (in_tx, mut in_rx) = tokio::sync::mpsc::channel(64);
        let task = tokio::spawn(driver.run(cmd_rx, in_tx));
        let mut seen = Vec::new();
        while !seen.contains(&closed(B)) {
            seen.push(in_rx.recv().await.unwrap());
        }
        cmd_tx
            .send(Command::Release {
                door: B,
                pulse_ms: 3_000,
            })
            .await
            .unwrap();
        while !sim.released(B) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        sim.push(B);
        while in_rx.recv().await.unwrap() != open(B) {}
        drop(cmd_tx);
        task.await.unwrap();
    })
    .await;
}

/// Measures one poll cycle (FC02 of 8 inputs, no writes due) over a pty. Prints the figures; asserts only that a
/// cycle is well under the timeout.
#[tokio::test]
async fn poll_cycle_time_over_a_pty() {
    bounded(30, async {
        let (pty, mut driver) = rig(IoMap::two_door_default()).await;
        let _ = pty;
        expect_input(&mut driver, closed(B)).await;
        // Let the re-assertion become not due for a while.
        let mut cycles: Vec<Duration> = Vec::new();
        for _ in 0..200 {
            let t = std::time::Instant::now();
            driver.poll().await;
            cycles.push(t.elapsed());
        }
        cycles.sort();
        let p50 = cycles[cycles.len() / 2];
        let p99 = cycles[cycles.len() * 99 / 100];
        let mean = cycles.iter().sum::<Duration>() / cycles.len() as u32;
        println!("poll cycle over a pty (200 cycles, incl. re-assertions every 200 ms): mean {mean:?}, p50 {p50:?}, p99 {p99:?}, max {:?}", cycles[cycles.len() - 1]);
        assert!(p50 < Duration::from_millis(50), "p50 {p50:?}");
    })
    .await;
}

#[tokio::test]
async fn a_module_config_opens_a_driver_on_the_endpoints_unit() {
    bounded(20, async {
        let mut map = IoMap::two_door_default();
        map.unit = door_modbus::UnitId::new(5).unwrap();
        let handle = SimHandle::new(DoorModule::new(map.clone(), sim_config()));
        let pty = sim::SimPty::spawn(handle).unwrap();
        map.unit = door_modbus::UnitId::default(); // overridden by the endpoint
        let cfg = door_modbus::ModuleConfig {
            endpoint: format!("modbus-rtu:{}/5", pty.path().display())
                .parse()
                .unwrap(),
            map,
            driver: fast(),
        };
        let mut driver = cfg.open().await.unwrap();
        expect_input(&mut driver, closed(A)).await;
        let missing = door_modbus::ModuleConfig {
            endpoint: "modbus-rtu:/nonexistent/tty/1".parse().unwrap(),
            ..cfg
        };
        assert!(matches!(
            missing.open().await,
            Err(door_modbus::OpenError::Io { .. })
        ));
    })
    .await;
}
