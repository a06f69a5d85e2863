// AXI4 slave memory model: see axi_mem.h.
#include "axi_mem.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace tern_axi {

namespace {

constexpr uint64_t kPage = 4096;

uint64_t get(const Sig &s) {
  uint64_t v = 0;
  if (s.p) std::memcpy(&v, s.p, std::min<size_t>(s.bytes, 8));
  return v;
}

void set(const Sig &s, uint64_t v) {
  if (s.p) std::memcpy(s.p, &v, std::min<size_t>(s.bytes, 8));
}

void get_bytes(const Sig &s, uint8_t *dst, size_t n) {
  std::memset(dst, 0, n);
  if (s.p) std::memcpy(dst, s.p, std::min(s.bytes, n));
}

void set_bytes(const Sig &s, const uint8_t *src, size_t n) {
  if (!s.p) return;
  std::memset(s.p, 0, s.bytes);
  std::memcpy(s.p, src, std::min(s.bytes, n));
}

uint64_t splitmix(uint64_t &s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

Mem::Mem(const Port &port, const Config &cfg) : p_(port), cfg_(cfg), rng_(cfg.seed) {
  if (cfg_.read_latency < 1) cfg_.read_latency = 1;
  if (cfg_.write_latency < 1) cfg_.write_latency = 1;
  tok_r_ = tok_w_ = cfg_.data_bytes;
  rdata_.assign(cfg_.data_bytes, 0);
}

uint8_t Mem::fill(uint64_t addr) {
  uint64_t s = addr >> 3;
  return static_cast<uint8_t>(splitmix(s) >> (8 * (addr & 7)));
}

uint8_t *Mem::page(uint64_t addr) {
  auto &pg = pages_[addr / kPage];
  if (!pg) {
    pg.reset(new uint8_t[kPage]);
    uint64_t base = addr & ~(kPage - 1);
    for (uint64_t i = 0; i < kPage; i++) pg[i] = fill(base + i);
  }
  return pg.get();
}

const uint8_t *Mem::page_c(uint64_t addr) const {
  auto it = pages_.find(addr / kPage);
  return it == pages_.end() ? nullptr : it->second.get();
}

uint8_t Mem::byte(uint64_t addr) const {
  const uint8_t *pg = page_c(addr);
  return pg ? pg[addr % kPage] : fill(addr);
}

std::vector<uint64_t> Mem::pages() const {
  std::vector<uint64_t> v;
  for (const auto &kv : pages_) v.push_back(kv.first);
  return v;
}

void Mem::write(uint64_t addr, const void *src, size_t n) {
  const uint8_t *s = static_cast<const uint8_t *>(src);
  for (size_t i = 0; i < n; i++) page(addr + i)[(addr + i) % kPage] = s[i];
}

void Mem::read(uint64_t addr, void *dst, size_t n) const {
  uint8_t *d = static_cast<uint8_t *>(dst);
  for (size_t i = 0; i < n; i++) d[i] = byte(addr + i);
}

void Mem::add_error_range(uint64_t lo, uint64_t hi, Resp resp, bool reads, bool writes) {
  ranges_.push_back({lo, hi, resp, reads, writes});
}


Resp Mem::range_resp(uint64_t addr, bool write) const {
  for (const Range &r : ranges_)
    if (addr >= r.lo && addr < r.hi && (write ? r.writes : r.reads)) return r.resp;
  return OKAY;
}

void Mem::fail(const std::string &msg) {
  std::string m = "axi_mem: PROTOCOL ERROR at cycle " + std::to_string(cycle_) + ": " + msg;
  std::fprintf(stderr, "%s\n", m.c_str());
  errors_.push_back(m);
  if (cfg_.abort_on_error) std::abort();
}

bool Mem::chance(double p) {
  if (p <= 0) return false;
  return (splitmix(rng_) >> 11) * 0x1.0p-53 < p;
}

bool Mem::check_addr(const char *ch, uint64_t addr, unsigned len, unsigned size, unsigned burst) {
  char buf[200];
  unsigned bytes = 1u << size;
  bool good = true;
  auto bad = [&](const char *what) {
    std::snprintf(buf, sizeof buf, "%s addr=0x%llx len=%u size=%u burst=%u: %s", ch,
                  (unsigned long long)addr, len, size, burst, what);
    fail(buf);
    good = false;
  };
  if (burst != 1) bad("only INCR bursts are supported");
  if (bytes > cfg_.data_bytes) bad("AxSIZE wider than the bus");
  if (cfg_.require_full_size && bytes != cfg_.data_bytes) bad("AxSIZE is not the bus width");
  if (len + 1 > cfg_.max_burst_beats) bad("AxLEN above the limit");
  if (addr % bytes) bad("address not aligned to AxSIZE");
  if ((addr % kPage) + uint64_t(len + 1) * bytes > kPage) bad("burst crosses a 4 KiB boundary");
  return good;
}

// AXI: once valid is high it stays high, with a stable payload, until the
// handshake.
void Mem::check_stable(const char *ch, Chan &c, bool valid, bool fire,
                       std::initializer_list<const Sig *> sigs) {
  std::vector<uint8_t> now;
  for (const Sig *s : sigs) {
    const uint8_t *b = static_cast<const uint8_t *>(s->p);
    if (b) now.insert(now.end(), b, b + s->bytes);
  }
  if (c.valid && !c.fire) {
    if (!valid)
      fail(std::string(ch) + "VALID dropped without a handshake");
    else if (now != c.payload)
      fail(std::string(ch) + " payload changed while stalled");
  }
  c.valid = valid;
  c.fire = fire;
  c.payload.swap(now);
}

bool Mem::idle() const { return rd_.empty() && writes_open_ == 0; }

void Mem::sample() {
  const unsigned db = cfg_.data_bytes;
  const double cap = db + cfg_.bytes_per_cycle;
  const bool rd_on = p_.arvalid.bound(), wr_on = p_.awvalid.bound();

  // ---- read address
  if (rd_on) {
    bool arvalid = get(p_.arvalid) & 1;
    bool fire = arvalid && arready_;
    check_stable("AR", ar_, arvalid, fire, {&p_.arid, &p_.araddr, &p_.arlen, &p_.arsize, &p_.arburst});
    if (fire) {
      Rd t{};
      t.id = uint32_t(get(p_.arid));
      t.addr = get(p_.araddr);
      unsigned len = unsigned(get(p_.arlen) & 0xff), size = unsigned(get(p_.arsize) & 7);
      check_addr("AR", t.addr, len, size, unsigned(get(p_.arburst) & 3));
      t.beats = len + 1;
      t.ready_at = cycle_ + cfg_.read_latency;
      stats_.ar++;
      t.fail = (stats_.ar == nth_r_);
      t.fail_resp = nth_r_resp_;
      if (rd_.size() >= cfg_.max_reads) fail("AR accepted beyond max_reads");
      rd_.push_back(t);
      log_.push_back({false, t.id, t.addr, t.beats, cycle_});
    }
    // ---- read data
    if (rvalid_ && (get(p_.rready) & 1)) {
      Rd &t = rd_.front();
      stats_.r_beats++;
      if (stats_.r_beats == 1) stats_.first_r = cycle_;
      stats_.last_r = cycle_;
      if (++t.done == t.beats) rd_.pop_front();
      rvalid_ = false;
    }
  }

  // ---- write address
  if (wr_on) {
    bool awvalid = get(p_.awvalid) & 1;
    bool fire = awvalid && awready_;
    check_stable("AW", aw_, awvalid, fire, {&p_.awid, &p_.awaddr, &p_.awlen, &p_.awsize, &p_.awburst});
    bool wvalid = get(p_.wvalid) & 1;
    bool wfire = wvalid && wready_;
    check_stable("W", w_, wvalid, wfire, {&p_.wdata, &p_.wstrb, &p_.wlast});
    // W first: a beat at this edge belongs to an AW accepted earlier.
    if (wfire) {
      Wr &t = wr_.front();
      std::vector<uint8_t> data(db), strb((db + 7) / 8);
      get_bytes(p_.wdata, data.data(), db);
      get_bytes(p_.wstrb, strb.data(), strb.size());
      uint64_t a = t.addr + uint64_t(t.done) * db;
      Resp r = range_resp(a, true);
      if (r != OKAY && t.resp == OKAY) t.resp = r;
      if (!t.fail && r == OKAY)
        for (unsigned i = 0; i < db; i++)
          if (strb[i / 8] >> (i % 8) & 1) page(a + i)[(a + i) % kPage] = data[i];
      bool last = get(p_.wlast) & 1;
      t.done++;
      if (last != (t.done == t.beats)) {
        char buf[120];
        std::snprintf(buf, sizeof buf, "WLAST=%d on beat %u of a %u-beat burst at 0x%llx", last,
                      t.done, t.beats, (unsigned long long)t.addr);
        fail(buf);
      }
      stats_.w_beats++;
      if (stats_.w_beats == 1) stats_.first_w = cycle_;
      stats_.last_w = cycle_;
      tok_w_ -= db;
      if (cfg_.shared_bandwidth) tok_r_ -= db;
      if (t.done == t.beats) {
        b_.push_back({t.id, t.fail ? nth_w_resp_ : t.resp, cycle_ + cfg_.write_latency});
        wr_.pop_front();
      }
    } else if (wvalid && wr_.empty() && !wready_) {
      // legal (W may lead AW); the model just waits for the AW
    }
    if (fire) {
      Wr t{};
      t.id = uint32_t(get(p_.awid));
      t.addr = get(p_.awaddr);
      unsigned len = unsigned(get(p_.awlen) & 0xff), size = unsigned(get(p_.awsize) & 7);
      check_addr("AW", t.addr, len, size, unsigned(get(p_.awburst) & 3));
      t.beats = len + 1;
      stats_.aw++;
      t.fail = (stats_.aw == nth_w_);
      t.resp = OKAY;
      if (writes_open_ >= cfg_.max_writes) fail("AW accepted beyond max_writes");
      writes_open_++;
      wr_.push_back(t);
      log_.push_back({true, t.id, t.addr, t.beats, cycle_});
    }
    if (bvalid_ && (get(p_.bready) & 1)) {
      b_.pop_front();
      writes_open_--;
      bvalid_ = false;
    }
  }

  // ---- bandwidth
  if (cfg_.bytes_per_cycle > 0) {
    tok_r_ = std::min(cap, tok_r_ + cfg_.bytes_per_cycle);
    if (!cfg_.shared_bandwidth) tok_w_ = std::min(cap, tok_w_ + cfg_.bytes_per_cycle);
    else tok_w_ = tok_r_;
  } else {
    tok_r_ = tok_w_ = db;
  }

  // ---- next outputs (visible from the next edge on)
  const uint64_t next = cycle_ + 1;
  if (rd_on) {
    arready_ = rd_.size() < cfg_.max_reads && !chance(cfg_.p_ar);
    if (!rvalid_ && !rd_.empty() && rd_.front().ready_at <= next && tok_r_ >= db &&
        !chance(cfg_.p_r)) {
      Rd &t = rd_.front();
      uint64_t a = t.addr + uint64_t(t.done) * db;
      Resp r = t.fail ? t.fail_resp : range_resp(a, false);
      if (r == OKAY) read(a, rdata_.data(), db);
      else std::fill(rdata_.begin(), rdata_.end(), 0);
      rresp_ = r;
      rid_ = t.id;
      rlast_ = (t.done + 1 == t.beats);
      rvalid_ = true;
      tok_r_ -= db;
      if (cfg_.shared_bandwidth) tok_w_ = tok_r_;
    }
  }
  if (wr_on) {
    awready_ = writes_open_ < cfg_.max_writes && !chance(cfg_.p_aw);
    wready_ = !wr_.empty() && tok_w_ >= db && !chance(cfg_.p_w);
    if (!bvalid_ && !b_.empty() && b_.front().ready_at <= next && !chance(cfg_.p_b)) {
      bvalid_ = true;
      bid_ = b_.front().id;
      bresp_ = b_.front().resp;
    }
  }
  cycle_++;
}

void Mem::drive() {
  if (p_.arvalid.bound()) {
    set(p_.arready, arready_);
    set(p_.rvalid, rvalid_);
    set(p_.rid, rid_);
    set(p_.rresp, rresp_);
    set(p_.rlast, rlast_);
    set_bytes(p_.rdata, rdata_.data(), rdata_.size());
  }
  if (p_.awvalid.bound()) {
    set(p_.awready, awready_);
    set(p_.wready, wready_);
    set(p_.bvalid, bvalid_);
    set(p_.bid, bid_);
    set(p_.bresp, bresp_);
  }
}

}  // namespace tern_axi
