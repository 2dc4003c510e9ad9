"""TensorBoard event files written without TensorFlow: TFRecord framing and the few protobuf messages needed.

A file is a sequence of records, each `length (uint64 LE), masked CRC-32C of length, data, masked
CRC-32C of data`; each record's data is a serialized `tensorflow.Event`. The messages are encoded by
hand (field numbers from tensorboard/compat/proto/event.proto and summary.proto), so writing needs
neither TensorFlow nor protobuf. Scalars are `Summary.Value.simple_value` and histograms
`HistogramProto`, which TensorBoard reads natively.
"""
import os
import platform
import struct
import time

import numpy

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "host-side data preparation and reporting (files, sequences, boxes, progress)"


def _crc32c_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data):
    """The CRC-32C (Castagnoli) of `data`, as TFRecord uses."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _CRC_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


# ---- protobuf wire format ----------------------------------------------------------------------

def _varint(value):
    value &= (1 << 64) - 1  # negative int64 values are written as their two's complement
    out = bytearray()
    while True:
        bits = value & 0x7F
        value >>= 7
        if value:
            out.append(bits | 0x80)
        else:
            out.append(bits)
            return bytes(out)


def _key(field, wire_type):
    return _varint((field << 3) | wire_type)


def _bytes_field(field, payload):
    return _key(field, 2) + _varint(len(payload)) + payload


def _double_field(field, value):
    return _key(field, 1) + struct.pack("<d", float(value))


def _float_field(field, value):
    return _key(field, 5) + struct.pack("<f", float(value))


def _packed_doubles(field, values):
    return _bytes_field(field, numpy.asarray(values, dtype="<f8").tobytes())


def histogram_proto(values, bins=30):
    """A serialized HistogramProto of `values`: `bins` equal-width buckets over [min, max]."""
    values = numpy.asarray(values, dtype=numpy.float64).reshape(-1)
    if values.size == 0:
        low = high = 0.0
        limits, counts = [0.0], [0.0]
    else:
        low, high = float(values.min()), float(values.max())
        if low == high:
            limits, counts = [high], [float(values.size)]
        else:
            counts, edges = numpy.histogram(values, bins=bins, range=(low, high))
            limits, counts = edges[1:], counts.astype(numpy.float64)
    return (_double_field(1, low) + _double_field(2, high) + _double_field(3, values.size)
            + _double_field(4, values.sum()) + _double_field(5, numpy.square(values).sum())
            + _packed_doubles(6, limits) + _packed_doubles(7, counts))


def scalar_value(tag, value):
    """A serialized Summary.Value holding a scalar."""
    return _bytes_field(1, tag.encode("utf-8")) + _float_field(2, value)


def histogram_value(tag, values, bins=30):
    """A serialized Summary.Value holding a histogram of `values`."""
    return _bytes_field(1, tag.encode("utf-8")) + _bytes_field(5, histogram_proto(values, bins))


def event(step=0, summary_values=(), file_version=None, wall_time=None):
    """A serialized Event: a time, a step, and either a file version or a Summary of values."""
    data = _double_field(1, time.time() if wall_time is None else wall_time) + _key(2, 0) + _varint(int(step))
    if file_version is not None:
        data += _bytes_field(3, file_version.encode("utf-8"))
    if summary_values:
        data += _bytes_field(5, b"".join(_bytes_field(1, value) for value in summary_values))
    return data


class EventFileWriter:
    """Appends events to a new `events.out.tfevents.*` file in `log_dir` (created when missing).

    Example:
        writer = EventFileWriter("logs/train")
        writer.add_scalar("epoch_loss", 0.25, step=0)
        writer.close()
    """

    _count = 0

    def __init__(self, log_dir):
        os.makedirs(log_dir, exist_ok=True)
        EventFileWriter._count += 1
        name = (f"events.out.tfevents.{int(time.time())}.{platform.node()}.{os.getpid()}."
                f"{EventFileWriter._count}.v2")
        self.path = os.path.join(log_dir, name)
        self._file = open(self.path, "wb")
        self.write(event(file_version="brain.Event:2"))
        self.flush()

    def write(self, data):
        """Appends one record holding the serialized event `data`."""
        header = struct.pack("<Q", len(data))
        self._file.write(header + struct.pack("<I", masked_crc32c(header)) + data
                         + struct.pack("<I", masked_crc32c(data)))

    def add_scalar(self, tag, value, step):
        self.write(event(step, [scalar_value(tag, value)]))

    def add_histogram(self, tag, values, step, bins=30):
        self.write(event(step, [histogram_value(tag, values, bins)]))

    def flush(self):
        self._file.flush()

    def close(self):
        if not self._file.closed:
            self._file.close()


def read_records(path):
    """The data of each record in a TFRecord file, with both checksums verified.

    Raises:
        ValueError: a record is truncated or fails its checksum.
    """
    records = []
    with open(path, "rb") as handle:
        while header := handle.read(12):
            if len(header) < 12 or struct.unpack("<I", header[8:])[0] != masked_crc32c(header[:8]):
                raise ValueError(f"{path}: a record header is truncated or corrupt")
            length = struct.unpack("<Q", header[:8])[0]
            data, footer = handle.read(length), handle.read(4)
            if len(data) < length or len(footer) < 4 or struct.unpack("<I", footer)[0] != masked_crc32c(data):
                raise ValueError(f"{path}: a record is truncated or fails its checksum")
            records.append(data)
    return records
