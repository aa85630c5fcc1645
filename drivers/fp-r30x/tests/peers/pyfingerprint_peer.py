"""Drive the fp-r30x simulator with pyfingerprint 1.5 (which verifies every checksum).

Usage: python pyfingerprint_peer.py <serial-path>
Covers VfyPwd, ReadSysPara, Empty, GenImg, UpImage, Img2Tz, Search, UpChar, DownChar, Match,
RegModel, Store, TemplateNum, ReadIndexTable, LoadChar, DeletChar, GetRandomCode.
"""
import os
import sys
import tempfile

from PIL import Image
from pyfingerprint.pyfingerprint import PyFingerprint


def main(port):
    f = PyFingerprint(port, 57600, 0xFFFFFFFF, 0x00000000)
    assert f.verifyPassword(), "VfyPwd"
    params = f.getSystemParameters()
    assert f.getStorageCapacity() == 300, params
    assert f.clearDatabase(), "Empty"
    assert f.getTemplateCount() == 0

    assert f.readImage(), "GenImg"
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "finger.bmp")
        f.downloadImage(path)  # UpImage
        img = Image.open(path)
        assert img.size == (256, 288), img.size
        assert len(set(img.getdata())) > 1, "image has content"

    assert f.convertImage(0x01), "Img2Tz 1"
    assert f.searchTemplate() == (-1, -1), "Search before enrolment"
    chars = f.downloadCharacteristics(0x01)  # UpChar
    assert len(chars) == 512, len(chars)

    assert f.readImage()
    assert f.convertImage(0x02), "Img2Tz 2"
    assert f.compareCharacteristics() > 0, "Match"
    assert f.createTemplate(), "RegModel"
    assert f.storeTemplate(3, 0x01) == 3, "Store"
    assert f.getTemplateCount() == 1, "TemplateNum"
    assert f.getTemplateIndex(0)[3], "ReadIndexTable"

    assert f.readImage()
    assert f.convertImage(0x01)
    pos, score = f.searchTemplate()
    assert pos == 3 and score > 0, (pos, score)

    other = [b ^ 0x5A for b in chars]
    assert f.uploadCharacteristics(0x01, other), "DownChar then UpChar round trip"
    assert f.searchTemplate() == (-1, -1), "another template is not found"
    assert f.loadTemplate(3, 0x02), "LoadChar"
    assert f.compareCharacteristics() == 0, "Match against another template"

    f.generateRandomNumber()
    assert f.deleteTemplate(3), "DeletChar"
    assert f.getTemplateCount() == 0
    print("PASS pyfingerprint")


if __name__ == "__main__":
    main(sys.argv[1])
