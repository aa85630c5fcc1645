//! The simulator as a tokio-modbus server service, and the handle that controls it.

use std::future::{Ready, ready};
use std::sync::{Arc, Mutex, MutexGuard};

use gate::{DoorId, Side};
use tokio::time::Instant;
use tokio_modbus::{ExceptionCode, Request, Response, SlaveRequest};

use super::model::DoorModule;

/// Controls a running simulated module: push, hold or force doors, press buttons, raise fire, tamper, go silent.
/// Time is tokio's clock since the handle was made, so tests may pause it.
#[derive(Debug, Clone)]
pub struct SimHandle {
    module: Arc<Mutex<DoorModule>>,
    epoch: Instant,
}

impl SimHandle {
    /// Wraps a module; its time 0 is now.
    pub fn new(module: DoorModule) -> SimHandle {
        SimHandle {
            module: Arc::new(Mutex::new(module)),
            epoch: Instant::now(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, DoorModule> {
        self.module.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The module's time now (ms since the handle was made).
    pub fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// Runs `f` on the module at the current time (after letting time pass).
    pub fn with<R>(&self, f: impl FnOnce(&mut DoorModule, u64) -> R) -> R {
        let now = self.now_ms();
        let mut m = self.lock();
        m.advance(now);
        f(&mut m, now)
    }

    /// Someone pushes the door; returns whether it is open now.
    pub fn push(&self, door: DoorId) -> bool {
        self.with(|m, now| m.push(now, door))
    }

    /// Someone forces the door open.
    pub fn force(&self, door: DoorId) {
        self.with(|m, now| m.force(now, door));
    }

    /// Someone holds the door open or lets go.
    pub fn hold(&self, door: DoorId, held: bool) {
        self.with(|m, now| m.hold(now, door, held));
    }

    /// Someone shuts the door.
    pub fn shut(&self, door: DoorId) {
        self.with(|m, now| m.shut(now, door));
    }

    /// Someone presses an exit button.
    pub fn press_exit(&self, door: DoorId, side: Side) {
        self.with(|m, now| m.press_exit(now, door, side));
    }

    /// The fire alarm contact.
    pub fn set_fire(&self, active: bool) {
        self.with(|m, _| m.set_fire(active));
    }

    /// A tamper switch.
    pub fn set_tamper(&self, door: DoorId, active: bool) {
        self.with(|m, _| m.set_tamper(door, active));
    }

    /// Stop (or resume) answering.
    pub fn set_silent(&self, silent: bool) {
        self.with(|m, _| m.set_silent(silent));
    }

    /// Whether the door's lock relay is on.
    pub fn released(&self, door: DoorId) -> bool {
        self.with(|m, _| m.released(door))
    }

    /// Whether the door is open.
    pub fn is_open(&self, door: DoorId) -> bool {
        self.with(|m, _| m.is_open(door))
    }

    /// Answers one request, or `None` to stay silent (silent module, another unit, a broadcast).
    pub fn answer(&self, req: SlaveRequest<'_>) -> Result<Option<Response>, ExceptionCode> {
        self.with(|m, now| {
            let unit = m.map().unit.get();
            let broadcast = req.slave == 0;
            if m.silent() || !(broadcast || req.slave == unit) {
                return Ok(None);
            }
            let r = match req.request {
                Request::ReadCoils(a, q) => m.read_coils(now, a, q).map(Response::ReadCoils),
                Request::ReadDiscreteInputs(a, q) => m
                    .read_discrete_inputs(now, a, q)
                    .map(Response::ReadDiscreteInputs),
                Request::WriteSingleCoil(a, v) => m
                    .write_coil(now, a, v)
                    .map(|()| Response::WriteSingleCoil(a, v)),
                Request::WriteMultipleCoils(a, ref v) => m
                    .write_coils(now, a, v)
                    .map(|()| Response::WriteMultipleCoils(a, v.len() as u16)),
                Request::WriteSingleRegister(a, v) => m
                    .write_register(now, a, v)
                    .map(|()| Response::WriteSingleRegister(a, v)),
                Request::ReadHoldingRegisters(a, q) => m
                    .read_registers(now, a, q)
                    .map(Response::ReadHoldingRegisters),
                _ => Err(ExceptionCode::IllegalFunction),
            };
            // A broadcast is carried out but never answered.
            if broadcast {
                r.map(|_| None).or(Ok(None))
            } else {
                r.map(Some)
            }
        })
    }
}

/// The tokio-modbus service around a [`SimHandle`].
#[derive(Debug, Clone)]
pub struct SimService(pub SimHandle);

impl tokio_modbus::server::Service for SimService {
    type Request = SlaveRequest<'static>;
    type Response = Option<Response>;
    type Exception = ExceptionCode;
    type Future = Ready<Result<Option<Response>, ExceptionCode>>;

    fn call(&self, req: Self::Request) -> Self::Future {
        ready(self.0.answer(req))
    }
}

impl hw::modbus::ModbusSim for SimHandle {
    const NAME: &'static str = "door";
    type Service = SimService;
    fn service(&self) -> SimService {
        SimService(self.clone())
    }
}
