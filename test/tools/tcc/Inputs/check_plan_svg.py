"""Reads a memory plan (the memory dialect, as `tcc --emit=memory-plan`
writes it) and its SVG drawing (`tcc --memory-plan=`), and checks that the
drawing shows exactly that plan: one rectangle per buffer, at its op range
and byte range on the drawing's axes, none over another buffer alive at the
same time. Prints 'ok: N buffers' or what is wrong.

    check_plan_svg.py plan.mlir plan.svg
"""
import re
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def read_plan(path):
    text = open(path).read()
    space = re.search(r"memory\.space @\S+ alignment \d+(?: capacity \d+)? size (\d+)", text)
    buffers = {}
    for match in re.finditer(
            r"memory\.buffer @(\S+) size (\d+) live \[(\d+), (\d+)\](?: uses \[[\d, ]+\])?(?: align \d+)? offset (\d+)", text):
        name, size, first, last, offset = match.groups()
        buffers[name] = dict(size=int(size), first=int(first), last=int(last), offset=int(offset))
    return int(space.group(1)), buffers


def main():
    size, buffers = read_plan(sys.argv[1])
    root = ET.parse(sys.argv[2]).getroot()
    errors = []
    if int(root.get("data-size")) != size:
        errors.append(f"drawing says {root.get('data-size')} bytes, plan {size}")
    ops = int(root.get("data-ops"))
    # The axes: the bottom one spans the ops, the left one the bytes.
    axes = root.findall(f"{SVG}line[@class='axis']")
    x0, x1 = float(axes[0].get("x1")), float(axes[0].get("x2"))
    y0, y1 = float(axes[1].get("y1")), float(axes[1].get("y2"))
    rects = root.findall(f"{SVG}rect[@class='buffer']")
    if len(rects) != len(buffers):
        errors.append(f"{len(rects)} rectangles for {len(buffers)} buffers")
    drawn = []
    for rect in rects:
        name = rect.get("data-name")
        plan = buffers.get(name)
        if plan is None:
            errors.append(f"rectangle of unknown buffer {name}")
            continue
        for key, value in plan.items():
            if int(rect.get(f"data-{key}")) != value:
                errors.append(f"{name}: data-{key} {rect.get(f'data-{key}')}, plan {value}")
        # Geometry in plan units, read back off the axes.
        x, w = float(rect.get("x")), float(rect.get("width"))
        y, h = float(rect.get("y")), float(rect.get("height"))
        first = (x - x0) / (x1 - x0) * ops
        end = (x + w - x0) / (x1 - x0) * ops
        low = (y0 - (y + h)) / (y0 - y1) * size
        high = (y0 - y) / (y0 - y1) * size
        tolerance = 0.01 * size
        if abs(first - plan["first"]) > 0.01 or abs(end - plan["last"] - 1) > 0.01:
            errors.append(f"{name}: drawn over ops [{first:.2f}, {end:.2f}), plan [{plan['first']}, {plan['last'] + 1})")
        if abs(low - plan["offset"]) > tolerance or abs(high - plan["offset"] - plan["size"]) > tolerance:
            errors.append(f"{name}: drawn over bytes [{low:.0f}, {high:.0f}), plan offset {plan['offset']} size {plan['size']}")
        drawn.append((name, first, end, low, high))
    # Coordinates are written to 0.01: two edges that meet may cross by as
    # much after rounding, which is no overlap.
    op_eps = 0.011 / (x1 - x0) * ops
    byte_eps = 0.011 / (y0 - y1) * size
    for i, a in enumerate(drawn):
        for b in drawn[i + 1:]:
            if (a[1] < b[2] - op_eps and b[1] < a[2] - op_eps and a[3] < b[4] - byte_eps
                    and b[3] < a[4] - byte_eps):
                errors.append(f"{a[0]} and {b[0]} are drawn over each other")
    if errors:
        print("\n".join(errors))
        return 1
    print(f"ok: {len(drawn)} buffers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
