#include "fake_services/iam/conditions.h"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace deploysim::fake::iam {
namespace {

bool to_int(std::string_view s, long long& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

std::optional<double> to_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::string copy(s);
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || std::isnan(v)) return std::nullopt;
  return v;
}

bool negated(CondOp op) {
  switch (op) {
    case CondOp::StringNotEquals:
    case CondOp::StringNotEqualsIgnoreCase:
    case CondOp::StringNotLike:
    case CondOp::NumericNotEquals:
    case CondOp::DateNotEquals:
    case CondOp::NotIpAddress:
    case CondOp::ArnNotEquals:
    case CondOp::ArnNotLike:
      return true;
    default:
      return false;
  }
}

// Where policy variables are live (iam.md §3: String and Arn values, and Bool).
bool takes_variables(CondOp op) {
  return op <= CondOp::StringNotLike || op == CondOp::Bool ||
         (op >= CondOp::ArnEquals && op <= CondOp::ArnNotLike);
}

bool pattern_op(CondOp op) {
  return op == CondOp::StringLike || op == CondOp::StringNotLike || op >= CondOp::ArnEquals;
}

struct Cidr {
  int family = 0;
  std::array<unsigned char, 16> bytes{};
  int prefix = 0;
};

std::optional<Cidr> parse_cidr(std::string_view text) {
  Cidr c;
  std::string addr(text);
  std::size_t slash = addr.find('/');
  std::string prefix;
  if (slash != std::string::npos) {
    prefix = addr.substr(slash + 1);
    addr.resize(slash);
  }
  if (inet_pton(AF_INET, addr.c_str(), c.bytes.data()) == 1) {
    c.family = AF_INET;
    c.prefix = 32;
  } else if (inet_pton(AF_INET6, addr.c_str(), c.bytes.data()) == 1) {
    c.family = AF_INET6;
    c.prefix = 128;
  } else {
    return std::nullopt;
  }
  if (!prefix.empty()) {
    long long n = 0;
    if (!to_int(prefix, n) || n < 0 || n > c.prefix) return std::nullopt;
    c.prefix = static_cast<int>(n);
  }
  return c;
}

bool ip_in(std::string_view ip, std::string_view cidr) {
  auto a = parse_cidr(ip);
  auto net = parse_cidr(cidr);
  if (!a || !net || a->family != net->family) return false;
  int bits = net->prefix;
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    unsigned char mask = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
    if ((a->bytes[i] & mask) != (net->bytes[i] & mask)) return false;
  }
  return true;
}

// The positive comparison of one request value with one policy value.
bool base_match(CondOp op, std::string_view req, std::string_view pol, bool escapes) {
  switch (op) {
    case CondOp::StringEquals:
    case CondOp::StringNotEquals:
    case CondOp::BinaryEquals:
      return req == pol;
    case CondOp::StringEqualsIgnoreCase:
    case CondOp::StringNotEqualsIgnoreCase:
      return ascii_lower(req) == ascii_lower(pol);
    case CondOp::StringLike:
    case CondOp::StringNotLike:
      return glob_match(pol, req, escapes);
    case CondOp::Bool:
      return ascii_lower(req) == ascii_lower(pol);
    case CondOp::IpAddress:
    case CondOp::NotIpAddress:
      return ip_in(req, pol);
    case CondOp::ArnEquals:
    case CondOp::ArnLike:
    case CondOp::ArnNotEquals:
    case CondOp::ArnNotLike:
      return arn_like(pol, req, escapes);
    case CondOp::Null:
      return false;
    default:
      break;
  }
  bool date = op >= CondOp::DateEquals && op <= CondOp::DateGreaterThanEquals;
  double a = 0, b = 0;
  if (date) {
    auto x = parse_date(req), y = parse_date(pol);
    if (!x || !y) return false;
    a = static_cast<double>(*x);
    b = static_cast<double>(*y);
  } else {
    auto x = to_number(req), y = to_number(pol);
    if (!x || !y) return false;
    a = *x;
    b = *y;
  }
  switch (op) {
    case CondOp::NumericEquals:
    case CondOp::NumericNotEquals:
    case CondOp::DateEquals:
    case CondOp::DateNotEquals:
      return a == b;
    case CondOp::NumericLessThan:
    case CondOp::DateLessThan:
      return a < b;
    case CondOp::NumericLessThanEquals:
    case CondOp::DateLessThanEquals:
      return a <= b;
    case CondOp::NumericGreaterThan:
    case CondOp::DateGreaterThan:
      return a > b;
    case CondOp::NumericGreaterThanEquals:
    case CondOp::DateGreaterThanEquals:
      return a >= b;
    default:
      return false;
  }
}

std::string escape_pattern(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '*' || c == '?' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::optional<std::int64_t> parse_date(std::string_view text) {
  long long epoch = 0;
  if (text.find('-') == std::string_view::npos && text.find('T') == std::string_view::npos &&
      text.find('t') == std::string_view::npos) {
    if (!to_int(text, epoch) || epoch < 0) return std::nullopt;
    return epoch * 1000;
  }
  std::string s = ascii_lower(text);
  std::size_t t = s.find('t');
  std::string date = s.substr(0, t);
  std::string time = t == std::string::npos ? "" : s.substr(t + 1);
  long long y = 0, mo = 1, d = 1;
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    std::size_t p = date.find('-', start);
    parts.push_back(date.substr(start, p == std::string::npos ? p : p - start));
    if (p == std::string::npos) break;
    start = p + 1;
  }
  if (parts.size() > 3 || !to_int(parts[0], y)) return std::nullopt;
  if (parts.size() > 1 && (!to_int(parts[1], mo) || mo < 1 || mo > 12)) return std::nullopt;
  if (parts.size() > 2 && (!to_int(parts[2], d) || d < 1 || d > 31)) return std::nullopt;
  long long ms = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400000;
  if (time.empty()) return ms;
  // hh[:mm[:ss[.fff]]] then z | +hh[:mm] | -hh[:mm]
  long long offset_min = 0;
  std::size_t zone = time.find_first_of("z+-");
  std::string clock = time.substr(0, zone);
  if (zone != std::string::npos) {
    std::string z = time.substr(zone);
    if (z != "z") {
      if (z.size() < 3) return std::nullopt;
      long long hh = 0, mm = 0;
      if (!to_int(z.substr(1, 2), hh) || hh > 23) return std::nullopt;
      if (z.size() > 3) {
        if (z.size() != 6 || z[3] != ':' || !to_int(z.substr(4, 2), mm) || mm > 59)
          return std::nullopt;
      }
      offset_min = (z[0] == '+' ? 1 : -1) * (hh * 60 + mm);
    }
  }
  long long h = 0, mi = 0, sec = 0, frac_ms = 0;
  std::vector<std::string> tp;
  for (std::size_t start = 0;;) {
    std::size_t p = clock.find(':', start);
    tp.push_back(clock.substr(start, p == std::string::npos ? p : p - start));
    if (p == std::string::npos) break;
    start = p + 1;
  }
  if (tp.size() > 3) return std::nullopt;
  if (!tp[0].empty() && (!to_int(tp[0], h) || h > 23)) return std::nullopt;
  if (tp.size() > 1 && (!to_int(tp[1], mi) || mi > 59)) return std::nullopt;
  if (tp.size() > 2) {
    std::string secs = tp[2];
    std::size_t dot = secs.find('.');
    if (dot != std::string::npos) {
      std::string frac = secs.substr(dot + 1);
      long long f = 0;
      if (frac.empty() || frac.size() > 9 || !to_int(frac, f)) return std::nullopt;
      frac = (frac + "000").substr(0, 3);
      to_int(frac, frac_ms);
      secs.resize(dot);
    }
    if (!to_int(secs, sec) || sec > 59) return std::nullopt;
  }
  return ms + ((h * 60 + mi - offset_min) * 60 + sec) * 1000 + frac_ms;
}

std::optional<std::string> substitute(std::string_view text, const ContextKeys& context,
                                      bool as_pattern) {
  std::string out;
  auto append_literal = [&](std::string_view literal) {
    for (char ch : literal) {
      if (as_pattern && ch == '\\') out += '\\';
      out += ch;
    }
  };
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t open = text.find("${", i);
    if (open == std::string_view::npos) break;
    std::size_t close = text.find('}', open);
    if (close == std::string_view::npos) break;
    std::string_view literal = text.substr(i, open - i);
    append_literal(literal);
    std::string_view inner = text.substr(open + 2, close - open - 2);
    std::string value;
    if (inner == "*" || inner == "?" || inner == "$") {
      value = std::string(inner);
    } else {
      std::string key(inner);
      std::optional<std::string> fallback;
      if (std::size_t comma = inner.find(','); comma != std::string_view::npos) {
        key = std::string(inner.substr(0, comma));
        std::string_view def = inner.substr(comma + 1);
        while (!def.empty() && def.front() == ' ') def.remove_prefix(1);
        while (!def.empty() && def.back() == ' ') def.remove_suffix(1);
        if (def.size() >= 2 && def.front() == '\'' && def.back() == '\'') {
          fallback = std::string(def.substr(1, def.size() - 2));
        }
      }
      while (!key.empty() && key.back() == ' ') key.pop_back();
      auto it = context.find(ascii_lower(key));
      if (it != context.end() && !it->second.multi && it->second.values.size() == 1) {
        value = it->second.values[0];
      } else if (fallback) {
        value = *fallback;
      } else {
        return std::nullopt;
      }
    }
    out += as_pattern ? escape_pattern(value) : value;
    i = close + 1;
  }
  append_literal(text.substr(i));
  return out;
}

bool arn_like(std::string_view pattern, std::string_view arn, bool escapes) {
  auto split6 = [](std::string_view s) {
    std::vector<std::string_view> parts;
    for (int n = 0; n < 5; ++n) {
      std::size_t p = s.find(':');
      if (p == std::string_view::npos) break;
      parts.push_back(s.substr(0, p));
      s.remove_prefix(p + 1);
    }
    parts.push_back(s);
    return parts;
  };
  if (pattern == "*") return true;
  auto p = split6(pattern), a = split6(arn);
  if (p.size() != 6 || a.size() != 6) return false;
  for (std::size_t i = 0; i < 6; ++i) {
    if (!glob_match(p[i], a[i], escapes)) return false;
  }
  return true;
}

ConditionResult evaluate_condition(const Condition& c, const ContextKeys& context, bool variables) {
  auto it = context.find(c.key);
  bool present = it != context.end() && !it->second.values.empty();
  if (c.op == CondOp::Null) {
    for (const auto& v : c.values) {
      std::string l = ascii_lower(v);
      if ((l == "true" && !present) || (l == "false" && present)) return {true, !present};
    }
    return {false, !present};
  }
  if (!present) {
    bool result =
        c.if_exists || (c.set == SetOp::None ? negated(c.op) : c.set == SetOp::ForAllValues);
    return {result, true};
  }
  // The policy's values, with variables substituted; an unresolved one matches nothing.
  bool live = variables && takes_variables(c.op);
  bool escapes = false;
  if (live && pattern_op(c.op)) {
    for (const auto& v : c.values) escapes = escapes || v.find("${") != std::string::npos;
  }
  std::vector<std::string> values;
  values.reserve(c.values.size());
  for (const auto& v : c.values) {
    if (live && v.find("${") != std::string::npos) {
      auto s = substitute(v, context, escapes);
      if (s) values.push_back(std::move(*s));
    } else if (escapes) {
      std::string e;  // literal backslashes must read the same under escapes
      for (char ch : v) {
        if (ch == '\\') e += '\\';
        e += ch;
      }
      values.push_back(std::move(e));
    } else {
      values.push_back(v);
    }
  }
  bool neg = negated(c.op);
  auto one = [&](const std::string& req) {
    bool any = false;
    for (const auto& v : values) {
      if (base_match(c.op, req, v, escapes)) {
        any = true;
        break;
      }
    }
    return neg ? !any : any;
  };
  const auto& req = it->second.values;
  bool result = false;
  switch (c.set) {
    case SetOp::ForAnyValue:
      result = std::any_of(req.begin(), req.end(), one);
      break;
    case SetOp::ForAllValues:
      result = std::all_of(req.begin(), req.end(), one);
      break;
    case SetOp::None:
      // A single-valued operator on a multivalued key: a positive one needs some value to match,
      // a negated one needs every value to stay clear (deviation noted in the README).
      result =
          neg ? std::all_of(req.begin(), req.end(), one) : std::any_of(req.begin(), req.end(), one);
      break;
  }
  return {result, false};
}

}  // namespace deploysim::fake::iam
