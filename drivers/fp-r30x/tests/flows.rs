//! Every implemented instruction, client against simulator over an in-memory link.

use std::time::Duration;

use fp_r30x::protocol::{
    self as p, Address, BaudRate, CharBuffer, ConfirmationCode as Cc, ImageGeometry, PacketSize,
    Password, SecurityLevel, SysParam, quantize_4bit,
};
use fp_r30x::sim::images;
use fp_r30x::{DriverError, SimConfig};
use hw::{FingerprintSensor, SensorError, TemplateSlot};

use crate::common::{client_config, pair, simulator};

#[tokio::test(start_paused = true)]
async fn enroll_then_search_finds_the_same_finger_only() {
    let sim = simulator(SimConfig::default(), 3);
    let mut c = pair(&sim, client_config(ImageGeometry::Optical));
    c.send_command(&p::VfyPwd {
        password: Password(0),
    })
    .await
    .unwrap()
    .unwrap();
    // Enrol finger 1 at slot 7.
    sim.place_finger(Some(1));
    for buffer in [CharBuffer::One, CharBuffer::Two] {
        c.send_command(&p::GenImg).await.unwrap().unwrap();
        c.send_command(&p::Img2Tz { buffer })
            .await
            .unwrap()
            .unwrap();
    }
    c.send_command(&p::Match).await.unwrap().unwrap();
    c.send_command(&p::RegModel).await.unwrap().unwrap();
    c.send_command(&p::Store {
        buffer: CharBuffer::One,
        page: TemplateSlot(7),
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(c.send_command(&p::TemplateNum).await.unwrap(), Ok(1));
    assert_eq!(c.used_slots(300).await.unwrap(), Ok(vec![TemplateSlot(7)]));
    // The same finger is found, by both searches.
    c.send_command(&p::GenImg).await.unwrap().unwrap();
    c.send_command(&p::Img2Tz {
        buffer: CharBuffer::One,
    })
    .await
    .unwrap()
    .unwrap();
    let hit = c
        .search_library(CharBuffer::One, 300)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(hit.slot, TemplateSlot(7));
    let fast = p::HighSpeedSearch {
        buffer: CharBuffer::One,
        start: TemplateSlot(0),
        count: 300,
    };
    assert_eq!(
        c.send_command(&fast).await.unwrap().unwrap().slot,
        TemplateSlot(7)
    );
    // Another finger is not found and does not match.
    sim.place_finger(Some(2));
    c.send_command(&p::GenImg).await.unwrap().unwrap();
    c.send_command(&p::Img2Tz {
        buffer: CharBuffer::One,
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        c.search_library(CharBuffer::One, 300).await.unwrap(),
        Ok(None)
    );
    c.send_command(&p::LoadChar {
        buffer: CharBuffer::Two,
        page: TemplateSlot(7),
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(c.send_command(&p::Match).await.unwrap(), Err(Cc::NoMatch));
    // Failing merges, empty slots and range checks answer with their codes.
    assert_eq!(
        c.send_command(&p::RegModel).await.unwrap(),
        Err(Cc::MergeFailed)
    );
    assert_eq!(
        c.send_command(&p::LoadChar {
            buffer: CharBuffer::One,
            page: TemplateSlot(8)
        })
        .await
        .unwrap(),
        Err(Cc::ReadTemplateError)
    );
    assert_eq!(
        c.send_command(&p::Store {
            buffer: CharBuffer::One,
            page: TemplateSlot(300)
        })
        .await
        .unwrap(),
        Err(Cc::PageOutOfRange)
    );
    // Delete and empty.
    c.send_command(&p::DeletChar {
        start: TemplateSlot(7),
        count: 1,
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(c.send_command(&p::TemplateNum).await.unwrap(), Ok(0));
    c.send_command(&p::Store {
        buffer: CharBuffer::Two,
        page: TemplateSlot(0),
    })
    .await
    .unwrap()
    .unwrap();
    c.send_command(&p::Empty).await.unwrap().unwrap();
    assert_eq!(c.send_command(&p::TemplateNum).await.unwrap(), Ok(0));
    // No finger.
    sim.place_finger(None);
    assert_eq!(c.send_command(&p::GenImg).await.unwrap(), Err(Cc::NoFinger));
    assert_eq!(
        c.send_command(&p::GetImageEx).await.unwrap(),
        Err(Cc::NoFinger)
    );
}

#[tokio::test(start_paused = true)]
async fn images_and_templates_at_every_packet_size() {
    for geometry in [ImageGeometry::Optical, ImageGeometry::Capacitive] {
        for size in PacketSize::ALL {
            let sim = simulator(
                SimConfig {
                    geometry,
                    packet_size: size,
                    ..SimConfig::default()
                },
                2,
            );
            let mut c = pair(&sim, client_config(geometry));
            let params = c.read_sys_params().await.unwrap();
            assert_eq!(params.packet_size, size);
            assert_eq!(c.config().packet_size, size);
            // UpImage gives the finger back at 4 bits a pixel.
            c.send_command(&p::GenImg).await.unwrap().unwrap();
            let img = c.up_image().await.unwrap().unwrap();
            let want: Vec<u8> = images::generate(0, geometry)
                .pixels()
                .iter()
                .map(|&x| quantize_4bit(x))
                .collect();
            assert_eq!(
                (img.width(), img.height()),
                (geometry.width(), geometry.height())
            );
            assert_eq!(img.pixels(), &want[..], "{geometry:?} {size:?}");
            // DownImage of another finger, then UpImage, gives that finger.
            let other = images::generate(1, geometry);
            c.down_image(&other).await.unwrap().unwrap();
            let back = c.up_image().await.unwrap().unwrap();
            assert!(
                back.pixels()
                    .iter()
                    .zip(other.pixels())
                    .all(|(&b, &o)| b == quantize_4bit(o))
            );
            // Templates: UpChar, DownChar into the other buffer, Match.
            c.send_command(&p::Img2Tz {
                buffer: CharBuffer::One,
            })
            .await
            .unwrap()
            .unwrap();
            let t = c.up_char(CharBuffer::One).await.unwrap().unwrap();
            assert_eq!(t.len(), 512);
            c.down_char(CharBuffer::Two, &t).await.unwrap().unwrap();
            assert_eq!(c.up_char(CharBuffer::Two).await.unwrap().unwrap(), t);
            assert!(c.send_command(&p::Match).await.unwrap().is_ok());
            assert_eq!(c.read_inf_page().await.unwrap().unwrap().len(), 512);
        }
    }
}

#[tokio::test(start_paused = true)]
async fn system_parameters_take_effect_after_the_ack() {
    let sim = simulator(SimConfig::default(), 1);
    let mut c = pair(&sim, client_config(ImageGeometry::Optical));
    c.set_sys_param(SysParam::PacketSize(PacketSize::B32))
        .await
        .unwrap()
        .unwrap();
    c.set_sys_param(SysParam::Security(SecurityLevel::new(5).unwrap()))
        .await
        .unwrap()
        .unwrap();
    c.set_sys_param(SysParam::Baud(BaudRate::from_bps(115_200).unwrap()))
        .await
        .unwrap()
        .unwrap();
    let params = c.read_sys_params().await.unwrap();
    assert_eq!(
        (params.packet_size, params.security.get(), params.baud.bps()),
        (PacketSize::B32, 5, 115_200)
    );
    assert_eq!(
        c.send_command(&p::SetSysPara {
            number: 9,
            value: 1
        })
        .await
        .unwrap(),
        Err(Cc::InvalidRegister)
    );
    assert_eq!(
        c.send_command(&p::SetSysPara {
            number: 6,
            value: 9
        })
        .await
        .unwrap(),
        Err(Cc::BadRegisterContent)
    );
    c.send_command(&p::GenImg).await.unwrap().unwrap();
    assert_eq!(
        c.up_image().await.unwrap().unwrap().pixels().len(),
        256 * 288
    );
}

#[tokio::test(start_paused = true)]
async fn address_and_password() {
    let sim = simulator(
        SimConfig {
            require_password: true,
            ..SimConfig::default()
        },
        1,
    );
    let mut c = pair(&sim, client_config(ImageGeometry::Optical));
    assert_eq!(
        c.send_command(&p::TemplateNum).await.unwrap(),
        Err(Cc::MustVerifyPassword)
    );
    assert_eq!(
        c.send_command(&p::VfyPwd {
            password: Password(1)
        })
        .await
        .unwrap(),
        Err(Cc::WrongPassword)
    );
    c.send_command(&p::VfyPwd {
        password: Password(0),
    })
    .await
    .unwrap()
    .unwrap();
    c.set_password(Password(0xC0FF_EE00))
        .await
        .unwrap()
        .unwrap();
    c.set_address(Address(0x1234_5678)).await.unwrap().unwrap();
    assert_eq!(sim.with(|s| s.config().address), Address(0x1234_5678));
    assert_eq!(c.send_command(&p::TemplateNum).await.unwrap(), Ok(0));
    // After a reset the new password is required; the old one is refused.
    c.soft_reset().await.unwrap().unwrap();
    assert_eq!(
        c.send_command(&p::VfyPwd {
            password: Password(0)
        })
        .await
        .unwrap(),
        Err(Cc::WrongPassword)
    );
    c.send_command(&p::VfyPwd {
        password: Password(0xC0FF_EE00),
    })
    .await
    .unwrap()
    .unwrap();
    // A client with the old address hears nothing: modules ignore other addresses.
    let mut stranger = pair(&sim, client_config(ImageGeometry::Optical));
    let err = stranger.send_command(&p::TemplateNum).await.unwrap_err();
    assert!(matches!(err, DriverError::Timeout { .. }), "{err}");
}

#[tokio::test(start_paused = true)]
async fn small_instructions() {
    let sim = simulator(
        SimConfig {
            geometry: ImageGeometry::Capacitive,
            ..SimConfig::default()
        },
        1,
    );
    let mut c = pair(&sim, client_config(ImageGeometry::Capacitive));
    c.send_command(&p::WriteNotepad {
        page: 15,
        data: [0xAB; 32],
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        c.send_command(&p::ReadNotepad { page: 15 }).await.unwrap(),
        Ok([0xAB; 32])
    );
    assert_eq!(
        c.send_command(&p::ReadNotepad { page: 16 }).await.unwrap(),
        Err(Cc::BadNotepadPage)
    );
    let a = c.send_command(&p::GetRandomCode).await.unwrap().unwrap();
    let b = c.send_command(&p::GetRandomCode).await.unwrap().unwrap();
    assert_ne!(a, b);
    c.send_command(&p::GetEcho).await.unwrap().unwrap();
    c.send_command(&p::HandShake).await.unwrap().unwrap();
    c.send_command(&p::CheckSensor).await.unwrap().unwrap();
    c.send_command(&p::Control { on: true })
        .await
        .unwrap()
        .unwrap();
    c.send_command(&p::AuraLedConfig {
        mode: 1,
        speed: 0x80,
        colour: 2,
        times: 0,
    })
    .await
    .unwrap()
    .unwrap();
    c.send_command(&p::Cancel).await.unwrap().unwrap();
    let info = c.send_command(&p::ReadProdInfo).await.unwrap().unwrap();
    assert_eq!((info.len(), &info[38..42]), (46, &[0, 192, 0, 192][..]));
    assert!(
        c.send_command(&p::GetFwVer)
            .await
            .unwrap()
            .unwrap()
            .starts_with(b"examd-sim")
    );
    assert_eq!(
        c.send_command(&p::GetAlgVer).await.unwrap().unwrap().len(),
        32
    );
    assert_eq!(
        c.send_command(&p::ReadIndexTable { page: 4 })
            .await
            .unwrap(),
        Err(Cc::PageOutOfRange)
    );
    assert_eq!(
        c.up_char(CharBuffer::One).await.unwrap(),
        Err(Cc::UploadTemplateError)
    );
    assert_eq!(c.up_image().await.unwrap(), Err(Cc::UploadImageError));
    assert_eq!(
        c.send_command(&p::Img2Tz {
            buffer: CharBuffer::One
        })
        .await
        .unwrap(),
        Err(Cc::NoValidImage)
    );
}

#[tokio::test(start_paused = true)]
async fn the_hw_seam() {
    let sim = simulator(SimConfig::default(), 2);
    let mut c = pair(&sim, client_config(ImageGeometry::Optical));
    let sensor: &mut dyn FingerprintSensor = &mut c;
    sim.place_finger(None);
    let err = sensor
        .wait_for_finger(Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(matches!(err, SensorError::NoFinger(_)), "{err}");
    sim.place_finger(Some(0));
    sensor
        .wait_for_finger(Duration::from_secs(1))
        .await
        .unwrap();
    let img = sensor.capture_image().await.unwrap();
    assert_eq!((img.width(), img.height()), (256, 288));
    sensor.cancel().await.unwrap();
    let m = sensor.on_device().unwrap();
    m.enroll(TemplateSlot(3), Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(m.template_count().await.unwrap(), 1);
    assert_eq!(
        m.search(Duration::from_secs(1))
            .await
            .unwrap()
            .map(|h| h.slot),
        Some(TemplateSlot(3))
    );
    sim.place_finger(Some(1));
    assert_eq!(m.search(Duration::from_secs(1)).await.unwrap(), None);
    m.delete(TemplateSlot(3)).await.unwrap();
    m.clear().await.unwrap();
    // A refusal keeps its confirmation code through the seam.
    let err = m.delete(TemplateSlot(999)).await.unwrap_err();
    assert_eq!(err.device_code(), Some(0x0B));
}
