#!/usr/bin/env python3
"""KV260 drift check: the Vivado flow must match rtl/top/tern_top.sv.

Checks that fpga/kv260/tern_kv260_wrap.v (the block-design module reference),
fpga/kv260/tern_kv260.cfg (its parameter values), fpga/kv260/tern_kv260.tcl
(block design, source list, address map) and fpga/kv260/tern_kv260.dtso (uio
overlay) use tern_top's port names, directions and widths and its parameter
names, and agree with each other. Fails (exit 1) on any drift.

  kv260_drift.py [--root DIR]     check the repository
  kv260_drift.py --selftest       also check that typical drifts are caught
Standard library only.
"""
import argparse
import math
import os
import re
import sys


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def split_top(s, sep=","):
    """Splits on sep outside parentheses/brackets/braces."""
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    return out


def module_header(text, name):
    """(parameter text, port text, body) of module `name`."""
    m = re.search(r"\bmodule\s+" + name + r"\b", text)
    if not m:
        raise ValueError("module %s not found" % name)
    i = m.end()
    params = ""
    j = text.index("(", i)
    if text[i:j].strip() == "#":
        depth, k = 0, j
        while True:
            if text[k] == "(":
                depth += 1
            elif text[k] == ")":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        params = text[j + 1:k]
        j = text.index("(", k)
    depth, k = 0, j
    while True:
        if text[k] == "(":
            depth += 1
        elif text[k] == ")":
            depth -= 1
            if depth == 0:
                break
        k += 1
    ports = text[j + 1:k]
    end = text.index("endmodule", k)
    return params, ports, text[k + 1:end]


PARAM_RE = re.compile(r"^\s*(localparam|parameter)?\s*(?:int\s+unsigned|integer|int)?\s*"
                      r"([A-Za-z_]\w*)\s*=\s*(.+?)\s*$", re.S)
PORT_RE = re.compile(r"^\s*(input|output|inout)\s+(?:wire|logic|reg)?\s*(\[[^\]]*\])?\s*"
                     r"([A-Za-z_]\w*)\s*$", re.S)


def parse_params(ptext):
    """[(name, default expr, is_local)] in order."""
    out, local = [], False
    for item in split_top(ptext):
        m = PARAM_RE.match(item)
        if not m:
            raise ValueError("cannot parse parameter: %r" % item.strip())
        if m.group(1):
            local = m.group(1) == "localparam"
        out.append((m.group(2), m.group(3), local))
    return out


def parse_ports(ptext):
    """{name: (direction, width expr or None)} and the order."""
    ports, order = {}, []
    for item in split_top(ptext):
        item = re.sub(r"\(\*.*?\*\)", " ", item, flags=re.S)
        m = PORT_RE.match(item)
        if not m:
            raise ValueError("cannot parse port: %r" % item.strip())
        rng = m.group(2)[1:-1] if m.group(2) else None
        ports[m.group(3)] = (m.group(1), rng)
        order.append(m.group(3))
    return ports, order


def evaluate(expr, env):
    e = expr.replace("$clog2", "clog2")
    e = re.sub(r"\b(\d+)'[dD]?(\d+)\b", r"\2", e)
    names = set(re.findall(r"\b[A-Za-z_]\w*\b", e)) - {"clog2"}
    for n in names:
        if n not in env:
            raise ValueError("unknown name %s in %r" % (n, expr))
    return int(eval(e, {"__builtins__": {}},  # noqa: S307 - arithmetic over known names only
                    dict(env, clog2=lambda v: max(0, math.ceil(math.log2(v))) if v > 0 else 0)))


def width(rng, env):
    if rng is None:
        return 1
    hi, lo = rng.split(":")
    return evaluate(hi, env) - evaluate(lo, env) + 1


def resolve(params, overrides):
    """Parameter values: defaults in order, overridden where given."""
    env = {}
    for name, default, local in params:
        env[name] = overrides[name] if (name in overrides and not local) else evaluate(default, env)
    return env


def read_cfg(text):
    d = {}
    for line in text.splitlines():
        m = re.match(r"^\s*([A-Za-z]\w*)\s*=\s*(\d+)", line)
        if m:
            d[m.group(1)] = int(m.group(2))
    return d


def wrapper_name(tern_port):
    """tern_top port -> wrapper port (Vivado interface naming)."""
    m = re.match(r"^s_axil_(\w+)_[io]$", tern_port)
    if m:
        return "s_axi_lite_" + m.group(1)
    m = re.match(r"^m_axi_(\w+)_[io]$", tern_port)
    if m:
        return "m_axi_" + m.group(1)
    return {"clk_i": "aclk", "rst_ni": "aresetn", "irq_o": "irq"}.get(tern_port)


def size_of(s):
    m = re.match(r"^(\d+)([KMG]?)$", s)
    if not m:
        return int(s, 0)
    return int(m.group(1)) * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(2)]


def check(files):
    """files: dict of name -> text. Returns a list of problems."""
    bad = []
    top = strip_comments(files["top"])
    wrap = strip_comments(files["wrap"])
    cfg = read_cfg(files["cfg"])
    tcl = files["tcl"]
    dts = strip_comments(files["dtso"])

    t_ptext, t_ports_text, _ = module_header(top, "tern_top")
    t_params = parse_params(t_ptext)
    t_ports, _ = parse_ports(t_ports_text)
    w_ptext, w_ports_text, w_body = module_header(wrap, "tern_kv260_wrap")
    w_params = parse_params(w_ptext)
    w_ports, _ = parse_ports(w_ports_text)
    w_param_names = [p[0] for p in w_params]

    m = re.search(r"\btern_top\s*#\s*\((.*?)\)\s*(\w+)\s*\((.*)\)\s*;", w_body, re.S)
    if not m:
        return ["wrapper: no tern_top instance with a parameter list"]
    inst_params = {}
    for item in split_top(m.group(1)):
        pm = re.match(r"^\s*\.(\w+)\s*\((.*)\)\s*$", item, re.S)
        if not pm:
            bad.append("wrapper: cannot parse parameter override %r" % item.strip())
            continue
        inst_params[pm.group(1)] = pm.group(2).strip()
    conns = {}
    for item in split_top(m.group(3)):
        cm = re.match(r"^\s*\.(\w+)\s*\((.*)\)\s*$", item, re.S)
        if not cm:
            bad.append("wrapper: cannot parse port connection %r" % item.strip())
            continue
        if cm.group(1) in conns:
            bad.append("wrapper: port %s connected twice" % cm.group(1))
        conns[cm.group(1)] = cm.group(2).strip()

    # parameters: names exist, nothing left at a default that is not derived
    t_public = {n: d for n, d, local in t_params if not local}
    for n in inst_params:
        if n not in t_public:
            bad.append("wrapper sets parameter %s that tern_top does not have" % n)
    for n, d in t_public.items():
        derived = bool(set(re.findall(r"\b[A-Za-z_]\w*\b", d)) & set(t_public))
        if n not in inst_params and not derived:
            bad.append("tern_top parameter %s (default %s) is not set by the wrapper" % (n, d))
    # cfg <-> wrapper parameters and defaults
    for n in w_param_names:
        if n not in cfg:
            bad.append("wrapper parameter %s missing from tern_kv260.cfg" % n)
    for n in cfg:
        if n not in w_param_names:
            bad.append("tern_kv260.cfg sets %s, which the wrapper does not have" % n)
    w_env = {}
    for n, d, _ in w_params:
        w_env[n] = evaluate(d, w_env)
        if n in cfg and cfg[n] != w_env[n]:
            bad.append("wrapper default %s = %d differs from tern_kv260.cfg (%d)" % (n, w_env[n], cfg[n]))
    w_env = dict(w_env, **{k: v for k, v in cfg.items() if k in w_env})
    over = {}
    for n, e in inst_params.items():
        try:
            over[n] = evaluate(e, w_env)
        except ValueError as err:
            bad.append("wrapper parameter override %s: %s" % (n, err))
    try:
        t_env = resolve(t_params, over)
    except ValueError as err:
        return bad + ["tern_top parameters: %s" % err]

    # ports: every one connected, to the Vivado-named wrapper port, same direction and width
    for p, (d, rng) in t_ports.items():
        if p not in conns:
            bad.append("tern_top port %s is not connected in the wrapper" % p)
            continue
        want = wrapper_name(p)
        sig = conns[p]
        if want is not None and sig != want:
            bad.append("tern_top port %s connects to %s, expected %s (interface naming)" % (p, sig, want))
        if sig not in w_ports:
            bad.append("tern_top port %s connects to %s, which is not a wrapper port" % (p, sig))
            continue
        wd, wrng = w_ports[sig]
        if wd != d:
            bad.append("port %s is %s in tern_top but wrapper port %s is %s" % (p, d, sig, wd))
        try:
            tw, ww = width(rng, t_env), width(wrng, w_env)
            if tw != ww:
                bad.append("port %s: %d bits in tern_top, %d in wrapper port %s" % (p, tw, ww, sig))
        except ValueError as err:
            bad.append("port %s width: %s" % (p, err))
    for p in conns:
        if p not in t_ports:
            bad.append("wrapper connects %s, which tern_top does not have" % p)
    for p in w_ports:
        if p not in conns.values():
            bad.append("wrapper port %s is not connected to tern_top" % p)

    # Tcl: interfaces, parameters from the cfg, source list, address map, HP0 width
    for pin in re.findall(r"tern/(\w+)", tcl):
        if pin not in ("s_axi_lite", "m_axi") and pin not in w_ports:
            bad.append("tcl uses tern/%s, which the wrapper does not have" % pin)
    for need in ("tern/s_axi_lite", "tern/m_axi", "tern/aclk", "tern/aresetn", "tern/irq",
                 "pl_ps_irq0", "S_AXI_HP0_FPD", "M_AXI_HPM0_FPD", "tern_kv260.cfg",
                 "tern_kv260_wrap"):
        if need not in tcl:
            bad.append("tcl does not mention %s" % need)
    mm = re.search(r"set tern_rtl \{([^}]*)\}", tcl)
    tcl_rtl = mm.group(1).split() if mm else []
    mk_rtl = [f for f in files["top_rtl"] if not f.startswith("rtl/engine/")]
    if tcl_rtl != mk_rtl:
        bad.append("tcl tern_rtl %s differs from mk/common.mk TOP_RTL (less rtl/engine) %s" % (tcl_rtl, mk_rtl))
    if "glob -directory $root/rtl/engine" not in tcl:
        bad.append("tcl does not take rtl/engine/*.sv")
    tv = dict(re.findall(r"^set (Tern\w+)\s+(\S+)", tcl, re.M))
    for n in ("TernRegBase", "TernRegRange", "TernIrqSpi"):
        if n not in tv:
            bad.append("tcl does not set %s" % n)
    if cfg.get("BusBytes", 0) * 8 not in (32, 64, 128):
        bad.append("BusBytes %s: S_AXI_HP0_FPD is 32, 64 or 128 bits" % cfg.get("BusBytes"))
    if "PSU__SAXIGP2__DATA_WIDTH [expr {8 * [dict get $params BusBytes]}]" not in tcl:
        bad.append("tcl does not size S_AXI_HP0_FPD from BusBytes")
    aw = width(t_ports.get("s_axil_awaddr_i", ("", "0:0"))[1], t_env)

    # overlay: register window and interrupt
    rm = re.search(r"tern@([0-9a-fA-F]+)\s*\{(.*?)\};", dts, re.S)
    if not rm:
        bad.append("dtso: no tern@ADDR node")
    else:
        node = rm.group(2)
        if '"generic-uio"' not in node:
            bad.append("dtso: tern node is not generic-uio")
        regm = re.search(r"reg\s*=\s*<\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*>", node)
        irqm = re.search(r"interrupts\s*=\s*<\s*(\d+)\s+(\d+)\s+(\d+)\s*>", node)
        if not regm:
            bad.append("dtso: tern node has no 2+2-cell reg")
        elif tv.get("TernRegBase") and tv.get("TernRegRange"):
            base = (int(regm.group(1), 0) << 32) | int(regm.group(2), 0)
            size = (int(regm.group(3), 0) << 32) | int(regm.group(4), 0)
            if base != int(tv["TernRegBase"], 0) or int(rm.group(1), 16) != base:
                bad.append("dtso: register base 0x%x differs from tcl TernRegBase %s" % (base, tv["TernRegBase"]))
            if size != size_of(tv["TernRegRange"]):
                bad.append("dtso: register size 0x%x differs from tcl TernRegRange %s" % (size, tv["TernRegRange"]))
            if size < (1 << aw):
                bad.append("register window 0x%x is smaller than the %d-bit AXI-Lite address space" % (size, aw))
        if not irqm:
            bad.append("dtso: tern node has no 3-cell interrupts")
        else:
            if irqm.group(1) != "0" or irqm.group(2) != tv.get("TernIrqSpi") or irqm.group(3) != "4":
                bad.append("dtso: interrupts <%s %s %s>, expected <0 %s 4> (SPI, level high)"
                           % (irqm.group(1), irqm.group(2), irqm.group(3), tv.get("TernIrqSpi")))
    if tv.get("TernIrqSpi") != "89":
        bad.append("pl_ps_irq0[0] is GIC SPI 89 on Zynq UltraScale+, tcl says %s" % tv.get("TernIrqSpi"))
    if '"ikwzm,u-dma-buf"' not in dts or 'device-name = "udmabuf0"' not in dts:
        bad.append("dtso: no u-dma-buf node named udmabuf0 (docs/driver.md default)")
    # the driver's bring-up section shows the same overlay
    drv = files.get("driver", "")
    if drv and rm:
        dm = re.search(r"tern@([0-9a-fA-F]+)", drv)
        if dm and dm.group(1).lower() != rm.group(1).lower():
            bad.append("docs/driver.md puts tern@%s, the overlay tern@%s" % (dm.group(1), rm.group(1)))
    return bad


def top_rtl_from_mk(text):
    m = re.search(r"^TOP_RTL\s*:=\s*((?:.*\\\n)*.*)$", text, re.M)
    if not m:
        return []
    items = m.group(1).replace("\\\n", " ").split()
    return [i for i in items if not i.startswith("$(")]


def load(root):
    rd = lambda p: open(os.path.join(root, p), encoding="utf-8").read()  # noqa: E731
    files = {
        "top": rd("rtl/top/tern_top.sv"),
        "wrap": rd("fpga/kv260/tern_kv260_wrap.v"),
        "cfg": rd("fpga/kv260/tern_kv260.cfg"),
        "tcl": rd("fpga/kv260/tern_kv260.tcl"),
        "dtso": rd("fpga/kv260/tern_kv260.dtso"),
        "top_rtl": top_rtl_from_mk(rd("mk/common.mk")),
    }
    if os.path.exists(os.path.join(root, "docs/driver.md")):
        files["driver"] = rd("docs/driver.md")
    return files


def selftest(files):
    """Each mutation is a drift the check must catch."""
    muts = [
        ("port renamed in tern_top", "top", "irq_o", "intr_o"),
        ("port width changed in tern_top", "top", "input  logic [8:0]        s_axil_awaddr_i",
         "input  logic [9:0]        s_axil_awaddr_i"),
        ("new tern_top parameter", "top", "parameter int unsigned IdWidth        = 4,",
         "parameter int unsigned IdWidth        = 4,\n  parameter int unsigned NewKnob = 3,"),
        ("wrapper width", "wrap", "output wire [BusBytes-1:0]     m_axi_wstrb",
         "output wire [BusBytes-2:0]     m_axi_wstrb"),
        ("wrapper default vs cfg", "wrap", "parameter integer Batch         = 4",
         "parameter integer Batch         = 2"),
        ("cfg key unknown", "cfg", "Lanes=", "Lane=1\nLanes="),
        ("overlay base", "dtso", "reg = <0x0 0xa0000000", "reg = <0x0 0xa0010000"),
        ("overlay irq", "dtso", "interrupts = <0 89 4>", "interrupts = <0 90 4>"),
        ("tcl range", "tcl", "set TernRegRange 4K", "set TernRegRange 64K"),
        ("tcl source list", "tcl", "  rtl/top/tern_top_reswr.sv\n", ""),
    ]
    fails = 0
    for what, key, old, new in muts:
        if old not in files[key]:
            print("kv260-drift selftest: cannot apply %r (text not found)" % what)
            fails += 1
            continue
        f = dict(files)
        f[key] = files[key].replace(old, new, 1)
        if not check(f):
            print("kv260-drift selftest: drift not caught: %s" % what)
            fails += 1
    return len(muts) - fails, fails


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    ap.add_argument("--selftest", action="store_true")
    a = ap.parse_args()
    files = load(a.root)
    bad = check(files)
    for b in bad:
        print("kv260-drift: " + b)
    passed, failed = (0 if bad else 1), (1 if bad else 0)
    if a.selftest:
        p, f = selftest(files)
        passed, failed = passed + p, failed + f
    print("kv260-drift: tern_top vs wrapper/cfg/tcl/dtso %s" % ("OK" if not bad else "DRIFT"))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
