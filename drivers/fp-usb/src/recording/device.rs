//! umockdev `device` files: the sysfs dump `umockdev-record` writes next to a recording.
//!
//! Blocks are separated by blank lines, the recorded device first, then its parents.
//! Lines are `P: <sysfs path>`, `N: <node>=<hex>`, `E: KEY=value` (udev properties),
//! `A: name=value` (sysfs attributes, with `\n` escapes), `H:` (binary attributes) and `L:` (links).
//! Only the first block is read.

use super::RecordingError;
use super::pcapng::DeviceAddress;

/// What a replay needs to know about the recorded device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedDevice {
    /// sysfs path below `/sys` (for example `/devices/pci0000:00/…/usb1/1-7`).
    pub sysfs_path: String,
    /// usbfs node below `/dev` (for example `bus/usb/001/003`).
    pub node: String,
    /// Bus number and device address.
    pub address: DeviceAddress,
    /// USB vendor id.
    pub vid: u16,
    /// USB product id.
    pub pid: u16,
}

impl RecordedDevice {
    /// The device node as an absolute path (`/dev/bus/usb/001/003`), as `umockdev-run -i` wants it.
    pub fn dev_path(&self) -> String {
        format!("/dev/{}", self.node)
    }

    /// The sysfs path as an absolute path, as `umockdev-run -p` wants it.
    pub fn sys_path(&self) -> String {
        format!("/sys{}", self.sysfs_path)
    }
}

/// Parses the first block of a umockdev `device` file.
pub fn parse(text: &str) -> Result<RecordedDevice, RecordingError> {
    let mut sysfs_path = None;
    let mut node = None;
    let mut attrs = std::collections::HashMap::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if sysfs_path.is_some() {
                break;
            }
            continue;
        }
        let Some((tag, rest)) = line.split_once(": ") else {
            continue;
        };
        match tag {
            "P" => sysfs_path = Some(rest.to_owned()),
            "N" => node = Some(rest.split('=').next().unwrap_or(rest).to_owned()),
            "A" => {
                if let Some((k, v)) = rest.split_once('=') {
                    attrs.insert(k, v.trim_end_matches("\\n"));
                }
            }
            _ => {}
        }
    }
    let hex16 = |k: &'static str| {
        attrs
            .get(k)
            .and_then(|v| u16::from_str_radix(v, 16).ok())
            .ok_or(RecordingError::Device(k))
    };
    let dec = |k: &'static str| {
        attrs
            .get(k)
            .and_then(|v| v.parse::<u16>().ok())
            .ok_or(RecordingError::Device(k))
    };
    Ok(RecordedDevice {
        sysfs_path: sysfs_path.ok_or(RecordingError::Device("P: sysfs path"))?,
        node: node.ok_or(RecordingError::Device("N: device node"))?,
        address: DeviceAddress {
            bus: dec("busnum")?,
            device: u8::try_from(dec("devnum")?).map_err(|_| RecordingError::Device("devnum"))?,
        },
        vid: hex16("idVendor")?,
        pid: hex16("idProduct")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "P: /devices/pci0000:00/0000:00:1a.0/usb1/1-1/1-1.3\n\
        N: bus/usb/001/003=12010101\n\
        E: BUSNUM=001\n\
        A: busnum=1\\n\n\
        A: devnum=3\\n\n\
        A: idProduct=2016\\n\n\
        A: idVendor=147e\n\
        \n\
        P: /devices/pci0000:00/0000:00:1a.0/usb1/1-1\n\
        A: devnum=2\\n\n";

    #[test]
    fn reads_the_first_block() {
        let d = parse(SAMPLE).unwrap();
        assert_eq!(d.address, DeviceAddress { bus: 1, device: 3 });
        assert_eq!((d.vid, d.pid), (0x147e, 0x2016));
        assert_eq!(d.dev_path(), "/dev/bus/usb/001/003");
        assert_eq!(
            d.sys_path(),
            "/sys/devices/pci0000:00/0000:00:1a.0/usb1/1-1/1-1.3"
        );
    }

    #[test]
    fn missing_fields_are_named() {
        assert_eq!(
            parse("P: /x\nN: a=1\n"),
            Err(RecordingError::Device("busnum"))
        );
        assert_eq!(parse(""), Err(RecordingError::Device("P: sysfs path")));
    }
}
