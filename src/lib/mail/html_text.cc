// A tag stripper, not an HTML parser: bounce notices use simple markup and
// only their words matter.
#include "mail/html_text.hh"

#include "mail/text_util.hh"

namespace sendsentry::mail {
namespace {

    struct Entity {
        std::string_view name;
        char value;
    };
    constexpr Entity entities[] = { { "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' }, { "&nbsp;", ' ' },
        { "&quot;", '"' }, { "&#39;", '\'' }, { "&#64;", '@' } };

} // namespace

std::string html_to_text(std::string_view html)
{
    std::string out;
    out.reserve(html.size());
    std::size_t i = 0;
    while (i < html.size()) {
        char c = html[i];
        if (c == '<') {
            std::size_t close = html.find('>', i);
            if (close == std::string_view::npos)
                break;
            std::string tag = to_lower(html.substr(i + 1, std::min<std::size_t>(close - i - 1, 10)));
            if (tag.starts_with("br") || tag.starts_with("p") || tag.starts_with("/p")
                || tag.starts_with("div") || tag.starts_with("/div") || tag.starts_with("tr")
                || tag.starts_with("li") || tag.starts_with("/tr") || tag.starts_with("h"))
                out += '\n';
            else
                out += ' ';
            // Skip style and script bodies entirely.
            if (tag.starts_with("style") || tag.starts_with("script")) {
                std::string end = tag.starts_with("style") ? "</style" : "</script";
                std::string lower = to_lower(html.substr(close));
                std::size_t e = lower.find(end);
                i = e == std::string::npos ? html.size() : close + e;
                continue;
            }
            i = close + 1;
            continue;
        }
        if (c == '&') {
            bool done = false;
            for (const Entity& e : entities)
                if (html.substr(i).starts_with(e.name)) {
                    out += e.value;
                    i += e.name.size();
                    done = true;
                    break;
                }
            if (done)
                continue;
        }
        out += c;
        ++i;
    }
    return out;
}

} // namespace sendsentry::mail
