"""Drive the fp-r30x simulator with adafruit-circuitpython-fingerprint (fixed-length reads).

Usage: python adafruit_peer.py <serial-path>
Covers VfyPwd, ReadSysPara (constructor), Empty, GenImg, UpImage, Img2Tz, Match, RegModel, Store,
TemplateNum, ReadIndexTable, Search, HighSpeedSearch, UpChar, DownChar, DeletChar, Aura LED, GetEcho, SoftRst.
"""
import sys

import adafruit_fingerprint
import serial

OK = adafruit_fingerprint.OK


def main(port):
    uart = serial.Serial(port, baudrate=57600, timeout=2)
    f = adafruit_fingerprint.Adafruit_Fingerprint(uart)  # VfyPwd + ReadSysPara
    assert f.library_size == 300 and f.data_packet_size == 2, (f.library_size, f.data_packet_size)
    assert f.empty_library() == OK, "Empty"

    assert f.get_image() == OK, "GenImg"
    img = f.get_fpdata("image", 1)
    assert len(img) == 256 * 288 // 2, len(img)

    assert f.image_2_tz(1) == OK, "Img2Tz 1"
    assert f.get_image() == OK
    assert f.image_2_tz(2) == OK, "Img2Tz 2"
    assert f.compare_templates() == OK and f.confidence[0] > 0, "Match"  # a 1-tuple here
    assert f.create_model() == OK, "RegModel"
    assert f.store_model(2, 1) == OK, "Store"
    assert f.count_templates() == OK and f.template_count == 1, "TemplateNum"
    assert f.read_templates() == OK and f.templates == [2], f.templates

    assert f.get_image() == OK and f.image_2_tz(1) == OK
    assert f.finger_search() == OK and f.finger_id == 2, "Search"
    f.finger_id = None
    f.finger_fast_search()
    assert f.finger_id == 2, "HighSpeedSearch"

    chars = f.get_fpdata("char", 1)
    assert len(chars) == 512, len(chars)
    f.send_fpdata([b ^ 0x5A for b in chars], "char", 1)
    assert f.finger_search() == adafruit_fingerprint.NOTFOUND, "another template is not found"

    assert f.delete_model(2) == OK, "DeletChar"
    assert f.count_templates() == OK and f.template_count == 0
    assert f.set_led(color=2, mode=1) == OK, "Aura LED"
    assert f.check_module(), "GetEcho"
    f.soft_reset()
    print("PASS adafruit")


if __name__ == "__main__":
    main(sys.argv[1])
