import pathlib
import struct

import pytest

from neuroflow.utils import tensorboard_events as events


def test_crc32c_known_values():
    # Published CRC-32C check values (RFC 3720, appendix B.4).
    assert events.crc32c(b"123456789") == 0xE3069283
    assert events.crc32c(bytes(32)) == 0x8A9136AA


def test_records_round_trip_and_corruption_is_refused(tmp_path):
    writer = events.EventFileWriter(str(tmp_path / "run"))
    writer.add_scalar("loss", 0.5, step=3)
    writer.add_histogram("w", [1.0, 2.0, 2.0, 5.0], step=3, bins=4)
    writer.close()
    records = events.read_records(writer.path)
    assert len(records) == 3 and b"brain.Event:2" in records[0]
    assert b"loss" in records[1] and struct.pack("<f", 0.5) in records[1]
    data = bytearray(pathlib.Path(writer.path).read_bytes())
    data[-6] ^= 0xFF
    pathlib.Path(writer.path).write_bytes(bytes(data))
    with pytest.raises(ValueError, match="checksum"):
        events.read_records(writer.path)


def test_histogram_proto_buckets():
    proto = events.histogram_proto([0.0, 1.0, 1.0, 3.0], bins=3)
    # min, max, num, sum, sum of squares, then the packed limits and counts.
    assert struct.unpack("<5d", bytes(b for i, b in enumerate(proto[:45]) if i % 9))[:5] == (0.0, 3.0, 4.0, 5.0, 11.0)
    assert struct.pack("<3d", 1.0, 2.0, 3.0) in proto and struct.pack("<3d", 1.0, 2.0, 1.0) in proto
