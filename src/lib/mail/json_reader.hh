// A small bounded JSON reader (RFC 8259) for the JSON notices some providers
// send instead of a DSN (Amazon SES via e-mail). Not a general library: no
// number conversion, depth and size capped.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sendsentry::mail {

struct JsonMember;

struct JsonValue {
    enum class Kind { null, boolean, number, string, array, object };
    Kind kind = Kind::null;
    std::string text; // string contents, or the literal for numbers and booleans
    std::vector<JsonValue> items;
    std::vector<JsonMember> members; // object members in order

    // Member NAME of an object, or nullptr.
    const JsonValue* get(std::string_view name) const noexcept;
    // The string value of member NAME, or "".
    std::string_view str(std::string_view name) const noexcept;
};

// A named member of an object (a struct, not std::pair: pair needs its
// element types complete where JsonValue is still being declared).
struct JsonMember {
    std::string name;
    JsonValue value;
};

// Parses TEXT; nothing on a syntax error or when the limits are exceeded.
std::optional<JsonValue> parse_json(std::string_view text);

} // namespace sendsentry::mail
