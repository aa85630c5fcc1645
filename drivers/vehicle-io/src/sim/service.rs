//! The simulated collector as a tokio-modbus server service, and the handle that sets its signals.

use std::future::{Ready, ready};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio_modbus::{ExceptionCode, Request, Response, SlaveRequest};

use crate::map::SignalMap;
use crate::signals::{SignalPatch, Signals};

/// Addresses the simulated collector has (inputs and registers alike), beyond the map's highest.
const SPARE: u16 = 16;

#[derive(Debug)]
struct State {
    signals: Signals,
    silent: bool,
}

/// Controls a running simulated collector: set its signals, make it go silent.
#[derive(Debug, Clone)]
pub struct SimHandle {
    map: Arc<SignalMap>,
    state: Arc<Mutex<State>>,
}

impl SimHandle {
    /// A collector wired by `map`, showing `signals`.
    pub fn new(map: SignalMap, signals: Signals) -> SimHandle {
        SimHandle {
            map: Arc::new(map),
            state: Arc::new(Mutex::new(State {
                signals,
                silent: false,
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The map.
    pub fn map(&self) -> &SignalMap {
        &self.map
    }

    /// The signals shown now.
    pub fn signals(&self) -> Signals {
        self.lock().signals
    }

    /// Replaces the signals.
    pub fn set(&self, signals: Signals) {
        self.lock().signals = signals;
    }

    /// Changes some signals.
    pub fn apply(&self, patch: &SignalPatch) {
        patch.apply(&mut self.lock().signals);
    }

    /// Stop (or resume) answering, like a collector that lost power.
    pub fn set_silent(&self, silent: bool) {
        self.lock().silent = silent;
    }

    fn limit(&self, highest: u16) -> u32 {
        u32::from(highest) + u32::from(SPARE)
    }

    /// Answers one request, or `None` to stay silent (silent collector, another unit, a broadcast).
    pub fn answer(&self, req: SlaveRequest<'_>) -> Result<Option<Response>, ExceptionCode> {
        let st = self.lock();
        if st.silent || req.slave != self.map.unit.get() {
            return Ok(None);
        }
        let s = &st.signals;
        let in_range =
            |addr: u16, n: u16, limit: u32| n > 0 && u32::from(addr) + u32::from(n) <= limit;
        match req.request {
            Request::ReadDiscreteInputs(addr, n) => {
                let (ib, ic) = self.map.input_span();
                if !in_range(addr, n, self.limit(ib + ic)) {
                    return Err(ExceptionCode::IllegalDataAddress);
                }
                let bits = (addr..addr + n)
                    .map(|a| self.map.encode_input(s, a).unwrap_or(false))
                    .collect();
                Ok(Some(Response::ReadDiscreteInputs(bits)))
            }
            Request::ReadInputRegisters(addr, n) => {
                let (rb, rc) = self.map.register_span();
                if !in_range(addr, n, self.limit(rb + rc)) {
                    return Err(ExceptionCode::IllegalDataAddress);
                }
                let regs = (addr..addr + n)
                    .map(|a| self.map.encode_register(s, a).unwrap_or(0))
                    .collect();
                Ok(Some(Response::ReadInputRegisters(regs)))
            }
            _ => Err(ExceptionCode::IllegalFunction),
        }
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
    const NAME: &'static str = "vehicle";
    type Service = SimService;
    fn service(&self) -> SimService {
        SimService(self.clone())
    }
}
