#include "ops/sim/facts_json.h"

#include "ops/sim/time_format.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <stdexcept>

namespace deptsim {

namespace {

using gateway::model::CalendarDate;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void key(Writer& out, std::string_view name) {
    out.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
}

void text(Writer& out, std::string_view name, std::string_view value) {
    key(out, name);
    out.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void textOrNull(Writer& out, std::string_view name, std::string_view value) {
    key(out, name);
    if (value.empty()) {
        out.Null();
    } else {
        out.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
    }
}

void date(Writer& out, std::string_view name, const std::optional<CalendarDate>& value) {
    key(out, name);
    if (value) {
        const std::string iso = value->toIso();
        out.String(iso.c_str(), static_cast<rapidjson::SizeType>(iso.size()));
    } else {
        out.Null();
    }
}

void parent(Writer& out, std::string_view name, const ParentFacts& p) {
    key(out, name);
    if (!p.known) {
        out.Null();
        return;
    }
    out.StartObject();
    text(out, "name", p.name);
    text(out, "id_number", p.id_number);
    text(out, "status", statusCode(p.status));
    text(out, "previous_status", statusCode(p.previous_status));
    text(out, "sex", std::to_string(p.sex));
    date(out, "birth_date", p.birth_date);
    text(out, "phone", p.phone);
    out.EndObject();
}

std::string money(int yuan) {
    return std::to_string(yuan) + ".00";
}

// Reading: a missing or mistyped member is a defect in the file, reported by one exception per line.
struct Reader {
    const rapidjson::Value& object;

    const rapidjson::Value& member(const char* name) const {
        const auto it = object.FindMember(name);
        if (it == object.MemberEnd()) {
            throw std::runtime_error(std::string("missing member '") + name + "'");
        }
        return it->value;
    }
    std::string text(const char* name) const {
        const auto& value = member(name);
        if (value.IsNull()) {
            return {};
        }
        if (!value.IsString()) {
            throw std::runtime_error(std::string("member '") + name + "' is not a string");
        }
        return {value.GetString(), value.GetStringLength()};
    }
    int number(const char* name) const {
        const auto& value = member(name);
        if (!value.IsInt()) {
            throw std::runtime_error(std::string("member '") + name + "' is not an integer");
        }
        return value.GetInt();
    }
    bool flag(const char* name) const {
        const auto& value = member(name);
        if (!value.IsBool()) {
            throw std::runtime_error(std::string("member '") + name + "' is not a boolean");
        }
        return value.GetBool();
    }
    std::optional<CalendarDate> date(const char* name) const {
        const std::string value = text(name);
        if (value.empty()) {
            return std::nullopt;
        }
        const auto parsed = parseIsoDate(value);
        if (!parsed) {
            throw std::runtime_error(std::string("member '") + name + "' is not a date");
        }
        return parsed;
    }
    CalendarDate requiredDate(const char* name) const {
        const auto value = date(name);
        if (!value) {
            throw std::runtime_error(std::string("member '") + name + "' is empty");
        }
        return *value;
    }
    ParentStatus status(const char* name) const {
        const auto value = parseStatusCode(text(name));
        if (!value) {
            throw std::runtime_error(std::string("member '") + name + "' is not a status");
        }
        return *value;
    }
};

ParentFacts readParent(const rapidjson::Value& value) {
    ParentFacts p;
    if (value.IsNull()) {
        p.known = false;
        return p;
    }
    const Reader r{value};
    p.name = r.text("name");
    p.id_number = r.text("id_number");
    p.status = r.status("status");
    p.previous_status = r.status("previous_status");
    p.sex = std::stoi(r.text("sex"));
    p.birth_date = r.requiredDate("birth_date");
    p.phone = r.text("phone");
    return p;
}

}  // namespace

std::string factsToJson(const ChildFacts& c, const CalendarDate& as_of) {
    rapidjson::StringBuffer buffer;
    Writer out(buffer);
    out.StartObject();
    text(out, "entity_id", entityId(c.entity));
    key(out, "revision");
    out.Int(c.revision);
    text(out, "name", c.name);
    text(out, "sex", std::to_string(c.sex));
    date(out, "birth_date", c.birth_date);
    text(out, "id_number", c.id_number);
    char ethnicity[4];
    std::snprintf(ethnicity, sizeof ethnicity, "%02d", c.ethnicity);
    text(out, "ethnicity", ethnicity);
    key(out, "registered");
    out.Bool(c.registered);
    text(out, "household", c.household);
    key(out, "rural");
    out.Bool(c.rural);
    text(out, "hukou_division", c.hukou_division);
    text(out, "residence_division", c.residence_division);
    text(out, "previous_residence_division", c.previous_residence_division);
    text(out, "hukou_address", c.hukou_address);
    text(out, "address", c.address);
    text(out, "previous_address", c.previous_address);
    parent(out, "father", c.father);
    parent(out, "mother", c.mother);

    key(out, "guardian");
    out.StartObject();
    text(out, "name", c.guardian.name);
    text(out, "relation", c.guardian.relation);
    text(out, "id_number", c.guardian.id_number);
    text(out, "phone", c.guardian.phone);
    text(out, "status", statusCode(c.guardian.status));
    out.EndObject();

    key(out, "enrolment");
    if (c.enrolment) {
        const auto& e = *c.enrolment;
        out.StartObject();
        text(out, "school_code", e.school_code);
        text(out, "school_name", e.school_name);
        key(out, "grade");
        out.Int(e.grade);
        text(out, "status", enrolmentCode(e.status));
        key(out, "absence_days");
        out.Int(e.absence_days);
        text(out, "previous_school_code", e.previous_school_code);
        text(out, "previous_school_name", e.previous_school_name);
        out.EndObject();
    } else {
        out.Null();
    }

    key(out, "birth");
    if (c.birth) {
        out.StartObject();
        text(out, "cert_no", c.birth->cert_no);
        key(out, "weight_g");
        out.Int(c.birth->weight_g);
        out.EndObject();
    } else {
        out.Null();
    }

    key(out, "assistance");
    out.StartArray();
    for (const auto& a : c.assistance) {
        out.String(a.type.c_str(), static_cast<rapidjson::SizeType>(a.type.size()));
    }
    out.EndArray();
    key(out, "assistance_detail");
    out.StartArray();
    for (const auto& a : c.assistance) {
        out.StartObject();
        text(out, "type", a.type);
        date(out, "start", a.start);
        date(out, "end", a.end);
        text(out, "amount", money(a.amount_yuan));
        out.EndObject();
    }
    out.EndArray();

    key(out, "case");
    if (c.civil_case) {
        const auto& k = *c.civil_case;
        out.StartObject();
        text(out, "case_type", k.case_type);
        text(out, "category", k.category);
        date(out, "opened", k.opened);
        date(out, "closed", k.closed);
        textOrNull(out, "placement", k.placement);
        out.EndObject();
    } else {
        out.Null();
    }

    text(out, "disability", c.disability);
    text(out, "serious_illness", c.serious_illness);
    key(out, "low_income");
    out.Bool(c.low_income);
    key(out, "categories");
    out.StartArray();
    for (const auto& category : childCategories(c, as_of)) {
        out.String(category.c_str(), static_cast<rapidjson::SizeType>(category.size()));
    }
    out.EndArray();
    out.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

std::optional<ChildFacts> factsFromJson(std::string_view line, std::string& error) {
    rapidjson::Document document;
    document.Parse(line.data(), line.size());
    if (document.HasParseError() || !document.IsObject()) {
        error = "not a JSON object";
        return std::nullopt;
    }
    try {
        const Reader r{document};
        ChildFacts c;
        const std::string entity = r.text("entity_id");
        if (entity.size() < 2 || entity[0] != 'E') {
            throw std::runtime_error("bad entity_id");
        }
        c.entity = static_cast<std::uint32_t>(std::stoul(entity.substr(1)));
        c.revision = r.number("revision");
        c.name = r.text("name");
        c.sex = std::stoi(r.text("sex"));
        c.birth_date = r.requiredDate("birth_date");
        c.id_number = r.text("id_number");
        c.ethnicity = std::stoi(r.text("ethnicity"));
        c.registered = r.flag("registered");
        c.household = r.text("household");
        c.rural = r.flag("rural");
        c.hukou_division = r.text("hukou_division");
        c.residence_division = r.text("residence_division");
        c.previous_residence_division = r.text("previous_residence_division");
        c.hukou_address = r.text("hukou_address");
        c.address = r.text("address");
        c.previous_address = r.text("previous_address");
        c.father = readParent(r.member("father"));
        c.mother = readParent(r.member("mother"));

        const Reader g{r.member("guardian")};
        c.guardian.name = g.text("name");
        c.guardian.relation = g.text("relation");
        c.guardian.id_number = g.text("id_number");
        c.guardian.phone = g.text("phone");
        c.guardian.status = g.status("status");

        if (const auto& e = r.member("enrolment"); !e.IsNull()) {
            const Reader er{e};
            EnrolmentFacts enrolment;
            enrolment.school_code = er.text("school_code");
            enrolment.school_name = er.text("school_name");
            enrolment.grade = er.number("grade");
            const auto status = parseEnrolmentCode(er.text("status"));
            if (!status) {
                throw std::runtime_error("bad enrolment status");
            }
            enrolment.status = *status;
            enrolment.absence_days = er.number("absence_days");
            enrolment.previous_school_code = er.text("previous_school_code");
            enrolment.previous_school_name = er.text("previous_school_name");
            c.enrolment = enrolment;
        }
        if (const auto& b = r.member("birth"); !b.IsNull()) {
            const Reader br{b};
            c.birth = BirthFacts{br.text("cert_no"), br.number("weight_g")};
        }
        const auto& details = r.member("assistance_detail");
        if (!details.IsArray()) {
            throw std::runtime_error("assistance_detail is not an array");
        }
        for (const auto& item : details.GetArray()) {
            const Reader ar{item};
            AssistanceFacts a;
            a.type = ar.text("type");
            a.start = ar.requiredDate("start");
            a.end = ar.date("end");
            a.amount_yuan = std::stoi(ar.text("amount"));
            c.assistance.push_back(std::move(a));
        }
        if (const auto& k = r.member("case"); !k.IsNull()) {
            const Reader kr{k};
            CaseFacts civil_case;
            civil_case.case_type = kr.text("case_type");
            civil_case.category = kr.text("category");
            civil_case.opened = kr.requiredDate("opened");
            civil_case.closed = kr.date("closed");
            civil_case.placement = kr.text("placement");
            c.civil_case = civil_case;
        }
        c.disability = r.text("disability");
        c.serious_illness = r.text("serious_illness");
        c.low_income = r.flag("low_income");
        return c;
    } catch (const std::exception& e) {
        error = e.what();
        return std::nullopt;
    }
}

}  // namespace deptsim
