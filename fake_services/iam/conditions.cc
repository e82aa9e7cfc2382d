#include "fake_services/iam/conditions.h"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

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
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || std::isnan(v)) {
    return std::nullopt;
  }
  return v;
}

bool is_date(CondOp op) {
  return op >= CondOp::DateEquals && op <= CondOp::DateGreaterThanEquals;
}

bool is_numeric(CondOp op) {
  return (op >= CondOp::NumericEquals && op <= CondOp::NumericGreaterThanEquals) || is_date(op);
}

std::optional<double> number_of(CondOp op, std::string_view text) {
  if (is_date(op)) {
    auto d = parse_date(text);
    if (!d) return std::nullopt;
    return static_cast<double>(*d);
  }
  return to_number(text);
}

bool compare(CondOp op, double a, double b) {
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
  std::size_t slash = text.find('/');
  std::string_view addr = text.substr(0, slash);
  char buf[INET6_ADDRSTRLEN + 1];
  if (addr.size() > INET6_ADDRSTRLEN) return std::nullopt;
  addr.copy(buf, addr.size());
  buf[addr.size()] = '\0';
  if (inet_pton(AF_INET, buf, c.bytes.data()) == 1) {
    c.family = AF_INET;
    c.prefix = 32;
  } else if (inet_pton(AF_INET6, buf, c.bytes.data()) == 1) {
    c.family = AF_INET6;
    c.prefix = 128;
  } else {
    return std::nullopt;
  }
  if (slash != std::string_view::npos) {
    long long n = 0;
    if (!to_int(text.substr(slash + 1), n) || n < 0 || n > c.prefix) return std::nullopt;
    c.prefix = static_cast<int>(n);
  }
  return c;
}

bool contains(const Cidr& net, const Cidr& a) {
  if (a.family != net.family) return false;
  int bits = net.prefix;
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    unsigned char mask = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
    if ((a.bytes[i] & mask) != (net.bytes[i] & mask)) return false;
  }
  return true;
}

bool ip_in(std::string_view ip, std::string_view cidr) {
  auto a = parse_cidr(ip);
  auto net = parse_cidr(cidr);
  return a && net && contains(*net, *a);
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
  auto x = number_of(op, req), y = number_of(op, pol);
  return x && y && compare(op, *x, *y);
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
  std::size_t t = text.find_first_of("Tt");
  if (t == std::string_view::npos && text.find('-') == std::string_view::npos) {
    if (!to_int(text, epoch) || epoch < 0) return std::nullopt;
    return epoch * 1000;
  }
  std::string_view date = text.substr(0, t);
  std::string_view time = t == std::string_view::npos ? std::string_view() : text.substr(t + 1);
  // Y[-M[-D]] (a leading '-' is a negative year)
  long long part[3] = {0, 1, 1};
  int n = 0;
  std::size_t start = 0;
  bool negative = !date.empty() && date[0] == '-';
  if (negative) start = 1;
  while (true) {
    std::size_t dash = date.find('-', start);
    if (n == 3 || !to_int(date.substr(start, dash == std::string_view::npos ? dash : dash - start),
                          part[n])) {
      return std::nullopt;
    }
    ++n;
    if (dash == std::string_view::npos) break;
    start = dash + 1;
  }
  if (negative) part[0] = -part[0];
  if (part[1] < 1 || part[1] > 12 || part[2] < 1 || part[2] > 31) return std::nullopt;
  long long ms =
      days_from_civil(part[0], static_cast<unsigned>(part[1]), static_cast<unsigned>(part[2])) *
      86400000;
  if (time.empty()) return ms;
  // hh[:mm[:ss[.fff]]] then z | +hh[:mm] | -hh[:mm]
  long long offset_min = 0;
  std::size_t zone = time.find_first_of("Zz+-");
  std::string_view clock = time.substr(0, zone);
  if (zone != std::string_view::npos) {
    std::string_view z = time.substr(zone);
    if (z != "z" && z != "Z") {
      long long hh = 0, mm = 0;
      if (z.size() < 3 || !to_int(z.substr(1, 2), hh) || hh > 23) return std::nullopt;
      if (z.size() > 3 &&
          (z.size() != 6 || z[3] != ':' || !to_int(z.substr(4, 2), mm) || mm > 59)) {
        return std::nullopt;
      }
      offset_min = (z[0] == '+' ? 1 : -1) * (hh * 60 + mm);
    }
  }
  long long clock_part[3] = {0, 0, 0};
  long long frac_ms = 0;
  n = 0;
  start = 0;
  while (!clock.empty()) {
    std::size_t colon = clock.find(':', start);
    std::string_view piece =
        clock.substr(start, colon == std::string_view::npos ? colon : colon - start);
    if (n == 3) return std::nullopt;
    if (n == 2) {
      std::size_t dot = piece.find('.');
      if (dot != std::string_view::npos) {
        std::string_view frac = piece.substr(dot + 1);
        long long f = 0;
        if (frac.empty() || frac.size() > 9 || !to_int(frac, f)) return std::nullopt;
        for (std::size_t i = frac.size(); i < 3; ++i) f *= 10;
        for (std::size_t i = 3; i < frac.size(); ++i) f /= 10;
        frac_ms = f;
        piece = piece.substr(0, dot);
      }
    }
    if (!to_int(piece, clock_part[n])) return std::nullopt;
    ++n;
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (clock_part[0] > 23 || clock_part[1] > 59 || clock_part[2] > 59) return std::nullopt;
  return ms + ((clock_part[0] * 60 + clock_part[1] - offset_min) * 60 + clock_part[2]) * 1000 +
         frac_ms;
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

void prepare_numbers(Condition& c) {
  if (!is_numeric(c.op)) return;
  c.numbers.clear();
  for (const auto& v : c.values) {
    c.numbers.push_back(number_of(c.op, v).value_or(std::numeric_limits<double>::quiet_NaN()));
  }
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
  // The policy's values, with variables substituted; an unresolved one matches nothing.
  const std::vector<std::string>* values = &c.values;
  std::vector<std::string> substituted;
  bool escapes = false;
  if (variables && c.has_variables && takes_variables(c.op)) {
    escapes = pattern_op(c.op);
    for (const auto& v : c.values) {
      if (v.find("${") != std::string::npos) {
        if (auto sub = substitute(v, context, escapes)) substituted.push_back(std::move(*sub));
      } else if (escapes) {
        std::string e;  // literal backslashes must read the same under escapes
        for (char ch : v) {
          if (ch == '\\') e += '\\';
          e += ch;
        }
        substituted.push_back(std::move(e));
      } else {
        substituted.push_back(v);
      }
    }
    values = &substituted;
  }
  bool neg = negated(c.op);
  bool numeric = is_numeric(c.op) && c.numbers.size() == c.values.size();
  bool ip = c.op == CondOp::IpAddress || c.op == CondOp::NotIpAddress;
  auto one = [&](const std::string& req) {
    bool any = false;
    if (numeric) {
      if (auto r = number_of(c.op, req)) {
        for (double n : c.numbers) {
          if (compare(c.op, *r, n)) {
            any = true;
            break;
          }
        }
      }
    } else if (ip) {
      if (auto a = parse_cidr(req)) {
        for (const auto& v : *values) {
          auto net = parse_cidr(v);
          if (net && contains(*net, *a)) {
            any = true;
            break;
          }
        }
      }
    } else {
      for (const auto& v : *values) {
        if (base_match(c.op, req, v, escapes)) {
          any = true;
          break;
        }
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
