//! Hardware transport: libusb through `rusb`, blocking calls on a dedicated thread.
//!
//! libusb's synchronous transfers block, so one worker thread per device owns the
//! `DeviceHandle` and runs the transfers in order; the async methods send it a job and await the
//! answer. Dropping the transport closes the job channel, and the thread releases the interface
//! and closes the device.

use std::sync::mpsc;
use std::time::Duration;

use async_trait::async_trait;
use rusb::UsbContext;
use tokio::sync::oneshot;

use super::{ControlSetup, TransportError, UsbTransport};
use crate::recording::Endpoint;

/// Which USB device to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsbId {
    /// Vendor id.
    pub vid: u16,
    /// Product id.
    pub pid: u16,
    /// Serial-number string, when several equal devices are attached.
    pub serial: Option<String>,
}

/// A USB device present on the bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Its ids, with the serial number when it could be read.
    pub id: UsbId,
    /// Bus number.
    pub bus: u8,
    /// Device address.
    pub address: u8,
}

enum Job {
    BulkOut(Endpoint, Vec<u8>, Duration),
    BulkIn(Endpoint, usize, Duration),
    InterruptIn(Endpoint, usize, Duration),
    ControlOut(ControlSetup, Vec<u8>, Duration),
    ControlIn(ControlSetup, u16, Duration),
}

enum Done {
    Written(usize),
    Read(Vec<u8>),
}

type Reply = oneshot::Sender<Result<Done, TransportError>>;

/// A claimed interface of a USB device, driven from a worker thread.
#[derive(Debug)]
pub struct RusbTransport {
    /// `None` only while dropping.
    jobs: Option<mpsc::Sender<(Job, Reply)>>,
    worker: Option<std::thread::JoinHandle<()>>,
    bus: u8,
    address: u8,
}

impl Drop for RusbTransport {
    /// Stops the worker and waits until it has released the interface and closed the device,
    /// which takes at most the timeout of a transfer still running.
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

fn map_err(e: rusb::Error, ep: Endpoint, timeout: Duration) -> TransportError {
    match e {
        rusb::Error::Timeout => TransportError::Timeout(timeout),
        rusb::Error::Pipe => TransportError::Stall(ep),
        rusb::Error::NoDevice => TransportError::Disconnected,
        rusb::Error::Interrupted => TransportError::Cancelled,
        other => TransportError::Usb(other),
    }
}

/// Lists the attached devices whose (vid, pid) `wanted` accepts. Blocking: call from a blocking context.
pub fn list_blocking(wanted: impl Fn(u16, u16) -> bool) -> Result<Vec<Found>, TransportError> {
    let ctx = rusb::Context::new().map_err(TransportError::Usb)?;
    let mut out = Vec::new();
    for dev in ctx.devices().map_err(TransportError::Usb)?.iter() {
        let Ok(desc) = dev.device_descriptor() else {
            continue;
        };
        if !wanted(desc.vendor_id(), desc.product_id()) {
            continue;
        }
        let serial = dev
            .open()
            .ok()
            .and_then(|h| h.read_serial_number_string_ascii(&desc).ok());
        out.push(Found {
            id: UsbId {
                vid: desc.vendor_id(),
                pid: desc.product_id(),
                serial,
            },
            bus: dev.bus_number(),
            address: dev.address(),
        });
    }
    Ok(out)
}

fn open_blocking(
    id: &UsbId,
    interface: u8,
) -> Result<rusb::DeviceHandle<rusb::Context>, TransportError> {
    let ctx = rusb::Context::new().map_err(TransportError::Usb)?;
    for dev in ctx.devices().map_err(TransportError::Usb)?.iter() {
        let Ok(desc) = dev.device_descriptor() else {
            continue;
        };
        if (desc.vendor_id(), desc.product_id()) != (id.vid, id.pid) {
            continue;
        }
        let handle = dev.open().map_err(TransportError::Usb)?;
        if let Some(want) = &id.serial {
            let serial = handle.read_serial_number_string_ascii(&desc).ok();
            if serial.as_deref() != Some(want.as_str()) {
                continue;
            }
        }
        // Detach a kernel driver only when one is bound: libusb's auto-detach issues
        // USBDEVFS_DISCONNECT_CLAIM, which emulators such as umockdev do not implement.
        if handle.kernel_driver_active(interface).unwrap_or(false) {
            handle
                .detach_kernel_driver(interface)
                .map_err(TransportError::Usb)?;
        }
        handle
            .claim_interface(interface)
            .map_err(TransportError::Usb)?;
        return Ok(handle);
    }
    Err(TransportError::Usb(rusb::Error::NotFound))
}

fn run(handle: &rusb::DeviceHandle<rusb::Context>, job: Job) -> Result<Done, TransportError> {
    match job {
        Job::BulkOut(ep, data, t) => handle
            .write_bulk(ep.0, &data, t)
            .map(Done::Written)
            .map_err(|e| map_err(e, ep, t)),
        Job::BulkIn(ep, len, t) => {
            let mut buf = vec![0; len];
            let n = handle
                .read_bulk(ep.0, &mut buf, t)
                .map_err(|e| map_err(e, ep, t))?;
            buf.truncate(n);
            Ok(Done::Read(buf))
        }
        Job::InterruptIn(ep, len, t) => {
            let mut buf = vec![0; len];
            let n = handle
                .read_interrupt(ep.0, &mut buf, t)
                .map_err(|e| map_err(e, ep, t))?;
            buf.truncate(n);
            Ok(Done::Read(buf))
        }
        Job::ControlOut(s, data, t) => handle
            .write_control(s.request_type, s.request, s.value, s.index, &data, t)
            .map(Done::Written)
            .map_err(|e| map_err(e, Endpoint(0x00), t)),
        Job::ControlIn(s, len, t) => {
            let mut buf = vec![0; len as usize];
            let n = handle
                .read_control(s.request_type, s.request, s.value, s.index, &mut buf, t)
                .map_err(|e| map_err(e, Endpoint(0x80), t))?;
            buf.truncate(n);
            Ok(Done::Read(buf))
        }
    }
}

impl RusbTransport {
    /// Opens the device `id`, claims `interface`, and starts its worker thread.
    pub async fn open(id: UsbId, interface: u8) -> Result<Self, TransportError> {
        let (jobs, rx) = mpsc::channel::<(Job, Reply)>();
        let (opened_tx, opened_rx) = oneshot::channel();
        let worker = std::thread::Builder::new()
            .name(format!("usb-{:04x}:{:04x}", id.vid, id.pid))
            .spawn(move || {
                let handle = match open_blocking(&id, interface) {
                    Ok(h) => {
                        let _ = opened_tx.send(Ok((h.device().bus_number(), h.device().address())));
                        h
                    }
                    Err(e) => {
                        let _ = opened_tx.send(Err(e));
                        return;
                    }
                };
                while let Ok((job, reply)) = rx.recv() {
                    // The caller may have given up (its future was dropped); that is fine.
                    let _ = reply.send(run(&handle, job));
                }
                let _ = handle.release_interface(interface);
            })
            .map_err(|_| TransportError::WorkerGone)?;
        let (bus, address) = opened_rx.await.map_err(|_| TransportError::WorkerGone)??;
        Ok(Self {
            jobs: Some(jobs),
            worker: Some(worker),
            bus,
            address,
        })
    }

    /// The usbfs node of the opened device (`/dev/bus/usb/BBB/DDD`), as recordings name it.
    pub fn device_node(&self) -> String {
        format!("/dev/bus/usb/{:03}/{:03}", self.bus, self.address)
    }

    async fn submit(&self, job: Job) -> Result<Done, TransportError> {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .as_ref()
            .ok_or(TransportError::WorkerGone)?
            .send((job, tx))
            .map_err(|_| TransportError::WorkerGone)?;
        rx.await.map_err(|_| TransportError::WorkerGone)?
    }
}

fn written(d: Done) -> usize {
    match d {
        Done::Written(n) => n,
        Done::Read(v) => v.len(),
    }
}

fn read(d: Done) -> Vec<u8> {
    match d {
        Done::Read(v) => v,
        Done::Written(_) => Vec::new(),
    }
}

#[async_trait]
impl UsbTransport for RusbTransport {
    async fn bulk_out(
        &mut self,
        ep: Endpoint,
        data: &[u8],
        timeout: Duration,
    ) -> Result<usize, TransportError> {
        if ep.is_in() {
            return Err(TransportError::Invalid("bulk OUT on an IN endpoint"));
        }
        self.submit(Job::BulkOut(ep, data.to_vec(), timeout))
            .await
            .map(written)
    }

    async fn bulk_in(
        &mut self,
        ep: Endpoint,
        len: usize,
        timeout: Duration,
    ) -> Result<Vec<u8>, TransportError> {
        if !ep.is_in() {
            return Err(TransportError::Invalid("bulk IN on an OUT endpoint"));
        }
        self.submit(Job::BulkIn(ep, len, timeout)).await.map(read)
    }

    async fn interrupt_in(
        &mut self,
        ep: Endpoint,
        len: usize,
        timeout: Duration,
    ) -> Result<Vec<u8>, TransportError> {
        if !ep.is_in() {
            return Err(TransportError::Invalid("interrupt IN on an OUT endpoint"));
        }
        self.submit(Job::InterruptIn(ep, len, timeout))
            .await
            .map(read)
    }

    async fn control_out(
        &mut self,
        setup: ControlSetup,
        data: &[u8],
        timeout: Duration,
    ) -> Result<usize, TransportError> {
        if setup.request_type & 0x80 != 0 {
            return Err(TransportError::Invalid(
                "control OUT with an IN request type",
            ));
        }
        self.submit(Job::ControlOut(setup, data.to_vec(), timeout))
            .await
            .map(written)
    }

    async fn control_in(
        &mut self,
        setup: ControlSetup,
        len: u16,
        timeout: Duration,
    ) -> Result<Vec<u8>, TransportError> {
        if setup.request_type & 0x80 == 0 {
            return Err(TransportError::Invalid(
                "control IN with an OUT request type",
            ));
        }
        self.submit(Job::ControlIn(setup, len, timeout))
            .await
            .map(read)
    }
}
