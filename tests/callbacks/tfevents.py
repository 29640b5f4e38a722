"""A reader of TensorBoard event files, written from the TFRecord layout and the proto field
numbers (tensorboard/compat/proto/*.proto), independently of cue's writer: it checks both CRCs of
every record with a bitwise CRC-32C and decodes Event, Summary, Value, TensorProto and
SummaryMetadata into dictionaries."""
import struct


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def records(path, allow_truncated_tail=False):
    """The data of every record; a bad CRC fails, and so does a truncated record unless it is the
    last (what a killed writer leaves)."""
    blob = open(path, "rb").read()
    pos, out = 0, []
    while pos < len(blob):
        if len(blob) - pos < 12:
            assert allow_truncated_tail, f"{path}: truncated header at {pos}"
            break
        header = blob[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", blob[pos + 8:pos + 12])
        assert masked(header) == length_crc, f"{path}: bad length CRC at {pos}"
        end = pos + 12 + length + 4
        if end > len(blob):
            assert allow_truncated_tail, f"{path}: truncated record at {pos}"
            break
        data = blob[pos + 12:pos + 12 + length]
        (data_crc,) = struct.unpack("<I", blob[pos + 12 + length:end])
        assert masked(data) == data_crc, f"{path}: bad data CRC at {pos}"
        out.append(data)
        pos = end
    return out


def fields(data):
    """(field number, wire type, value) of a serialized message; LEN values stay bytes."""
    pos, out = 0, []

    def varint():
        nonlocal pos
        shift = result = 0
        while True:
            b = data[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result

    while pos < len(data):
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            value = varint()
        elif wire == 1:
            value = data[pos:pos + 8]
            pos += 8
        elif wire == 2:
            n = varint()
            value = data[pos:pos + n]
            pos += n
        elif wire == 5:
            value = data[pos:pos + 4]
            pos += 4
        else:
            raise AssertionError(f"wire type {wire}")
        out.append((number, wire, value))
    return out


def tensor(data):
    t = {"dtype": 0, "shape": None, "content": b""}
    for number, _, value in fields(data):
        if number == 1:
            t["dtype"] = value
        elif number == 2:
            t["shape"] = [next((v for n, _, v in fields(dim) if n == 1), 0)
                          for n, _, dim in fields(value) if n == 2]
        elif number == 4:
            t["content"] = value
    if t["dtype"] == 1 and t["shape"] == []:
        (t["value"],) = struct.unpack("<f", t["content"])
    elif t["dtype"] == 2 and t["content"]:
        t["values"] = list(struct.unpack(f"<{len(t['content']) // 8}d", t["content"]))
    return t


def metadata(data):
    m = {}
    for number, _, value in fields(data):
        if number == 1:
            for n, _, v in fields(value):
                if n == 1:
                    m["plugin_name"] = v.decode()
                elif n == 2:
                    m["content"] = v
    return m


def event(data):
    e = {"step": 0, "values": []}
    for number, _, value in fields(data):
        if number == 1:
            (e["wall_time"],) = struct.unpack("<d", value)
        elif number == 2:
            e["step"] = value
        elif number == 3:
            e["file_version"] = value.decode()
        elif number == 5:
            for n, _, v in fields(value):
                assert n == 1
                val = {}
                for vn, _, vv in fields(v):
                    if vn == 1:
                        val["tag"] = vv.decode()
                    elif vn == 8:
                        val["tensor"] = tensor(vv)
                    elif vn == 9:
                        val["metadata"] = metadata(vv)
                e["values"].append(val)
    return e


def events(path, allow_truncated_tail=False):
    return [event(r) for r in records(path, allow_truncated_tail)]
