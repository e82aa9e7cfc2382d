#include "simulator/api/model.h"

#include <fmt/format.h>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "simulator/core/sim_time.h"

namespace deploysim::api {
namespace {

ShapeType parse_type(std::string_view t) {
  static const std::map<std::string_view, ShapeType> kTypes = {{"structure", ShapeType::Structure},
                                                               {"list", ShapeType::List},
                                                               {"map", ShapeType::Map},
                                                               {"string", ShapeType::String},
                                                               {"integer", ShapeType::Integer},
                                                               {"long", ShapeType::Long},
                                                               {"float", ShapeType::Float},
                                                               {"double", ShapeType::Double},
                                                               {"boolean", ShapeType::Boolean},
                                                               {"timestamp", ShapeType::Timestamp},
                                                               {"blob", ShapeType::Blob}};
  auto it = kTypes.find(t);
  if (it == kTypes.end()) throw std::runtime_error(fmt::format("unknown shape type '{}'", t));
  return it->second;
}

std::optional<double> number_of(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) return std::nullopt;
  if (it->value().is_int64()) return static_cast<double>(it->value().as_int64());
  if (it->value().is_uint64()) return static_cast<double>(it->value().as_uint64());
  if (it->value().is_double()) return it->value().as_double();
  return std::nullopt;
}

std::string limit_text(double v) {
  return v == std::floor(v) ? fmt::format("{}", static_cast<long long>(v)) : fmt::format("{}", v);
}

std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

class Validator {
 public:
  std::vector<ValidationIssue> issues;
  // S3 (rest-xml) checks enum values itself, with its own codes; its model's enums also lag
  // behind the values S3 accepts (new regions in BucketLocationConstraint).
  bool check_enums = true;

  void value(const Shape& shape, const json::value& v, std::vector<std::string>& path) {
    switch (shape.type) {
      case ShapeType::Structure:
        return structure(shape, v, path);
      case ShapeType::List:
        return list(shape, v, path);
      case ShapeType::Map:
        return map(shape, v, path);
      case ShapeType::String:
        return string(shape, v, path);
      case ShapeType::Integer:
      case ShapeType::Long:
        return integer(shape, v, path);
      case ShapeType::Float:
      case ShapeType::Double:
        if (!v.is_number()) wrong_type(shape, v, path);
        return;
      case ShapeType::Boolean:
        if (!v.is_bool()) wrong_type(shape, v, path);
        return;
      case ShapeType::Timestamp:
        if (v.is_number()) return;
        if (!v.is_string()) return wrong_type(shape, v, path);
        if (!sim::parse_iso8601(v.as_string())) {
          add(ValidationIssue::Kind::BadTimestamp, path, std::string(v.as_string()), "");
        }
        return;
      case ShapeType::Blob:
        if (!v.is_string()) wrong_type(shape, v, path);
        return;
    }
  }

  void structure(const Shape& shape, const json::value& v, std::vector<std::string>& path) {
    const json::object* obj = v.if_object();
    if (!obj) return wrong_type(shape, v, path);
    for (const auto& kv : *obj) {
      const Member* m = shape.find_member(kv.key());
      path.emplace_back(kv.key());
      if (!m) {
        std::string names;
        for (const auto& member : shape.members) {
          names += names.empty() ? member.name : ", " + member.name;
        }
        ValidationIssue issue{ValidationIssue::Kind::UnknownMember, path, std::string(kv.key()), "",
                              names};
        issues.push_back(std::move(issue));
      } else if (!kv.value().is_null()) {
        value(*m->shape, kv.value(), path);
      }
      path.pop_back();
    }
    for (const auto& name : shape.required) {
      auto it = obj->find(name);
      if (it == obj->end() || it->value().is_null()) {
        path.push_back(name);
        add(ValidationIssue::Kind::MissingRequired, path, "null", "");
        path.pop_back();
      }
    }
  }

  void list(const Shape& shape, const json::value& v, std::vector<std::string>& path) {
    const json::array* arr = v.if_array();
    if (!arr) return wrong_type(shape, v, path);
    length_limits(shape, arr->size(), sim::compact_json(v), path);
    for (std::size_t i = 0; i < arr->size(); ++i) {
      path.push_back(std::to_string(i + 1));
      if (shape.member) value(*shape.member, (*arr)[i], path);
      path.pop_back();
    }
  }

  void map(const Shape& shape, const json::value& v, std::vector<std::string>& path) {
    const json::object* obj = v.if_object();
    if (!obj) return wrong_type(shape, v, path);
    length_limits(shape, obj->size(), sim::compact_json(v), path);
    for (const auto& kv : *obj) {
      path.emplace_back(kv.key());
      if (shape.value) value(*shape.value, kv.value(), path);
      path.pop_back();
    }
  }

  void string(const Shape& shape, const json::value& v, std::vector<std::string>& path) {
    const json::string* s = v.if_string();
    if (!s) return wrong_type(shape, v, path);
    if (check_enums && !shape.enum_values.empty() &&
        std::find(shape.enum_values.begin(), shape.enum_values.end(), std::string_view(*s)) ==
            shape.enum_values.end()) {
      std::string allowed;
      for (const auto& e : shape.enum_values) allowed += allowed.empty() ? e : ", " + e;
      add(ValidationIssue::Kind::NotInEnum, path, std::string(*s), allowed);
      return;
    }
    length_limits(shape, utf8_length(*s), std::string(*s), path);
  }

  void integer(const Shape& shape, const json::value& v, std::vector<std::string>& path) {
    double d = 0;
    if (v.is_int64()) {
      d = static_cast<double>(v.as_int64());
    } else if (v.is_uint64()) {
      d = static_cast<double>(v.as_uint64());
    } else if (v.is_double() && v.as_double() == std::floor(v.as_double())) {
      d = v.as_double();
    } else {
      return wrong_type(shape, v, path);
    }
    if (shape.min && d < *shape.min) {
      add(ValidationIssue::Kind::TooSmall, path, limit_text(d), limit_text(*shape.min));
    } else if (shape.max && d > *shape.max) {
      add(ValidationIssue::Kind::TooLarge, path, limit_text(d), limit_text(*shape.max));
    }
  }

 private:
  void length_limits(const Shape& shape, std::size_t n, std::string shown,
                     std::vector<std::string>& path) {
    if (shape.min && static_cast<double>(n) < *shape.min) {
      add(ValidationIssue::Kind::TooShort, path, std::move(shown), limit_text(*shape.min));
    } else if (shape.max && static_cast<double>(n) > *shape.max) {
      add(ValidationIssue::Kind::TooLong, path, std::move(shown), limit_text(*shape.max));
    }
  }
  void wrong_type(const Shape& shape, const json::value& v, std::vector<std::string>& path) {
    add(ValidationIssue::Kind::WrongType, path, sim::display_scalar(v),
        std::string(type_name(shape.type)));
  }
  void add(ValidationIssue::Kind kind, const std::vector<std::string>& path, std::string value,
           std::string expected) {
    issues.push_back(ValidationIssue{kind, path, std::move(value), std::move(expected), ""});
  }
};

}  // namespace

std::string_view type_name(ShapeType t) {
  switch (t) {
    case ShapeType::Structure:
      return "structure";
    case ShapeType::List:
      return "list";
    case ShapeType::Map:
      return "map";
    case ShapeType::String:
      return "string";
    case ShapeType::Integer:
      return "integer";
    case ShapeType::Long:
      return "long";
    case ShapeType::Float:
      return "float";
    case ShapeType::Double:
      return "double";
    case ShapeType::Boolean:
      return "boolean";
    case ShapeType::Timestamp:
      return "timestamp";
    case ShapeType::Blob:
      return "blob";
  }
  return "value";
}

const Member* Shape::find_member(std::string_view name) const {
  for (const auto& m : members) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

bool Shape::is_required(std::string_view name) const {
  return std::find(required.begin(), required.end(), name) != required.end();
}

bool Shape::is_number() const {
  return type == ShapeType::Integer || type == ShapeType::Long || type == ShapeType::Float ||
         type == ShapeType::Double;
}

ServiceModel::ServiceModel(std::string service, std::string_view json_text)
    : service_(std::move(service)) {
  json::value doc = json::parse(json_text);
  const json::object& root = doc.as_object();
  const json::object& meta = root.at("metadata").as_object();
  protocol_ = std::string(meta.at("protocol").as_string());
  api_version_ = std::string(meta.at("apiVersion").as_string());
  if (auto it = meta.find("targetPrefix"); it != meta.end()) {
    target_prefix_ = std::string(it->value().as_string());
  }
  const json::object& shapes = root.at("shapes").as_object();
  for (const auto& kv : shapes) {
    auto shape = std::make_unique<Shape>();
    shape->name = std::string(kv.key());
    shapes_.emplace(shape->name, std::move(shape));
  }
  for (const auto& kv : shapes) fill_shape(*shapes_.find(kv.key())->second, kv.value().as_object());
  for (const auto& kv : root.at("operations").as_object()) {
    const json::object& def = kv.value().as_object();
    Operation op;
    op.name = std::string(kv.key());
    if (auto it = def.find("input"); it != def.end()) op.input = shape_ref(it->value());
    if (auto it = def.find("output"); it != def.end()) op.output = shape_ref(it->value());
    if (auto it = def.find("errors"); it != def.end()) {
      for (const auto& e : it->value().as_array()) op.errors.push_back(shape_ref(e));
    }
    operations_.emplace(op.name, std::move(op));
  }
}

const Shape* ServiceModel::shape_ref(const json::value& ref) {
  std::string_view name = ref.as_object().at("shape").as_string();
  auto it = shapes_.find(name);
  if (it == shapes_.end()) {
    throw std::runtime_error(
        fmt::format("{}: shape '{}' is referenced but not defined", service_, name));
  }
  return it->second.get();
}

void ServiceModel::fill_shape(Shape& shape, const json::object& def) {
  shape.type = parse_type(def.at("type").as_string());
  shape.min = number_of(def, "min");
  shape.max = number_of(def, "max");
  if (auto it = def.find("members"); it != def.end()) {
    for (const auto& m : it->value().as_object()) {
      const json::object& mdef = m.value().as_object();
      Member member{std::string(m.key()), shape_ref(m.value()), "", ""};
      if (auto l = mdef.find("location"); l != mdef.end()) {
        member.location = std::string(l->value().as_string());
      }
      if (auto l = mdef.find("locationName"); l != mdef.end()) {
        member.location_name = std::string(l->value().as_string());
      }
      shape.members.push_back(std::move(member));
    }
  }
  if (auto it = def.find("required"); it != def.end()) {
    for (const auto& r : it->value().as_array()) shape.required.emplace_back(r.as_string());
  }
  if (auto it = def.find("enum"); it != def.end()) {
    for (const auto& e : it->value().as_array()) shape.enum_values.emplace_back(e.as_string());
  }
  if (auto it = def.find("member"); it != def.end()) shape.member = shape_ref(it->value());
  if (auto it = def.find("key"); it != def.end()) shape.key = shape_ref(it->value());
  if (auto it = def.find("value"); it != def.end()) shape.value = shape_ref(it->value());
  if (def.contains("exception") || def.contains("error")) {
    shape.is_error = true;
    shape.error_code = shape.name;
    if (auto it = def.find("error"); it != def.end()) {
      const json::object& e = it->value().as_object();
      if (auto c = e.find("code"); c != e.end())
        shape.error_code = std::string(c->value().as_string());
      if (auto h = number_of(e, "httpStatusCode")) shape.http_status = static_cast<int>(*h);
    }
    errors_by_code_.emplace(shape.error_code, &shape);
  }
}

const Operation* ServiceModel::find_operation(std::string_view name) const {
  auto it = operations_.find(name);
  return it == operations_.end() ? nullptr : &it->second;
}

std::vector<std::string> ServiceModel::operation_names() const {
  std::vector<std::string> names;
  for (const auto& kv : operations_) names.push_back(kv.first);
  return names;
}

const Shape* ServiceModel::find_shape(std::string_view name) const {
  auto it = shapes_.find(name);
  return it == shapes_.end() ? nullptr : it->second.get();
}

int ServiceModel::error_status(std::string_view code, int fallback) const {
  auto it = errors_by_code_.find(code);
  return it == errors_by_code_.end() ? fallback : it->second->http_status;
}

std::vector<ValidationIssue> ServiceModel::validate_input(const Operation& op,
                                                          const json::object& params) const {
  Validator v;
  v.check_enums = protocol_ != "rest-xml";
  std::vector<std::string> path;
  if (op.input) {
    v.structure(*op.input, json::value(params), path);
  } else {
    for (const auto& kv : params) {
      v.issues.push_back(ValidationIssue{ValidationIssue::Kind::UnknownMember,
                                         {std::string(kv.key())},
                                         std::string(kv.key()),
                                         "",
                                         ""});
    }
  }
  return v.issues;
}

void ModelRegistry::add(std::string service, std::string_view json_text) {
  parsed_.erase(service);
  texts_.insert_or_assign(std::move(service), json_text);
}

const ServiceModel* ModelRegistry::find(std::string_view service) const {
  if (auto it = parsed_.find(service); it != parsed_.end()) return it->second.get();
  auto text = texts_.find(service);
  if (text == texts_.end()) return nullptr;
  auto model = std::make_unique<ServiceModel>(std::string(service), text->second);
  return parsed_.emplace(std::string(service), std::move(model)).first->second.get();
}

std::vector<std::string> ModelRegistry::services() const {
  std::vector<std::string> names;
  for (const auto& kv : texts_) names.push_back(kv.first);
  return names;
}

std::vector<std::string> closest_names(std::string_view wanted,
                                       const std::vector<std::string>& candidates,
                                       std::size_t at_most) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diag = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        std::size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diag = up;
      }
    }
    return row[b.size()];
  };
  std::string w = lower(wanted);
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& c : candidates) {
    std::string lc = lower(c);
    std::size_t d = distance(w, lc);
    bool contains = lc.find(w) != std::string::npos || w.find(lc) != std::string::npos;
    // Small edits rank first; a name that merely contains the other still qualifies, after them.
    if (d <= std::max<std::size_t>(2, w.size() / 3) || contains) scored.emplace_back(d, c);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (std::size_t i = 0; i < scored.size() && i < at_most; ++i) out.push_back(scored[i].second);
  return out;
}

}  // namespace deploysim::api
