package xapi

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// This file re-expresses the Data-requirement checks of the ADL LRS
// conformance suite (adlnet/lrs-conformance-test-suite, test/v2_0 and
// test/v1_0_3: the templated configs for agents, groups, formatting, verbs,
// objects, substatements, statementrefs, results, scores, durations,
// timestamps, contexts, contextagents, contextgroups, extensions,
// attachments, authorities and version) as a table of statement bodies with
// the status the suite expects. Each case name carries the ADL requirement
// (section and XAPI-nnnnn number where the suite gives one). The checks are
// written afresh from the requirement text; no code of the suite is used.

// adlCase is one statement body posted to the Statement Resource.
type adlCase struct {
	name string
	body string
	ok   bool   // true: 200 expected; false: 400 expected
	only string // "1": only under 1.0.x, "2": only under 2.0.x, "": both
}

const (
	adlVerb     = `{"id":"http://adlnet.gov/expapi/verbs/attended","display":{"en-GB":"attended","en-US":"attended"}}`
	adlActivity = `{"objectType":"Activity","id":"http://www.example.com/meetings/occurrences/34534"}`
	adlAgent    = `{"objectType":"Agent","name":"xAPI mbox","mbox":"mailto:xapi@adlnet.gov"}`
	adlSHA2     = `495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a`
)

// adlStmt builds a statement with actor adlAgent, verb adlVerb and object
// adlActivity, each replaced by the given parts, plus extra top-level
// properties.
func adlStmt(actor, object, extra string) string {
	if actor == "" {
		actor = adlAgent
	}
	if object == "" {
		object = adlActivity
	}
	s := `{"actor":` + actor + `,"verb":` + adlVerb + `,"object":` + object
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

func adlSub(actor, object, extra string) string {
	if actor == "" {
		actor = adlAgent
	}
	if object == "" {
		object = adlActivity
	}
	s := `{"objectType":"SubStatement","actor":` + actor + `,"verb":` + adlVerb + `,"object":` + object
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

// actorPosition is a place in a statement where an Agent or Group goes.
type actorPosition struct {
	name   string
	agents bool // accepts an Agent
	groups bool // accepts a Group
	only   string
	// needsType: the position requires objectType (a statement object).
	needsType bool
	// noValidGroups: groups are checked for invalidity only (authority).
	noValidGroups bool
	build         func(x string) string
}

var actorPositions = []actorPosition{
	{name: "statement actor", agents: true, groups: true, build: func(x string) string { return adlStmt(x, "", "") }},
	// Data 2.4.9: authority is an Agent, or a Group of exactly two Agents
	// (OAuth 3-legged); identified Groups there are left to the LRS's
	// authority rule, so only invalid Groups are mirrored.
	{name: "statement authority", agents: true, groups: true, noValidGroups: true, build: func(x string) string { return adlStmt("", "", `"authority":`+x) }},
	{name: "statement context instructor", agents: true, groups: true, build: func(x string) string { return adlStmt("", "", `"context":{"instructor":`+x+`}`) }},
	{name: "statement context team", groups: true, build: func(x string) string { return adlStmt("", "", `"context":{"team":`+x+`}`) }},
	{name: "statement object as agent/group", agents: true, groups: true, needsType: true, build: func(x string) string { return adlStmt("", x, "") }},
	{name: "statement substatement's actor", agents: true, groups: true, build: func(x string) string { return adlStmt("", adlSub(x, "", ""), "") }},
	{name: "statement substatement's object as agent/group", agents: true, groups: true, needsType: true, build: func(x string) string { return adlStmt("", adlSub("", x, ""), "") }},
	{name: "statement substatement's context instructor", agents: true, groups: true, build: func(x string) string {
		return adlStmt("", adlSub("", "", `"context":{"instructor":`+x+`}`), "")
	}},
	{name: "statement substatement's context team", groups: true, build: func(x string) string {
		return adlStmt("", adlSub("", "", `"context":{"team":`+x+`}`), "")
	}},
	{name: "statement context contextAgents agent", agents: true, only: "2", build: func(x string) string {
		return adlStmt("", "", `"context":{"contextAgents":[{"objectType":"contextAgent","agent":`+x+`}]}`)
	}},
	{name: "statement context contextGroups group", groups: true, only: "2", build: func(x string) string {
		return adlStmt("", "", `"context":{"contextGroups":[{"objectType":"contextGroup","group":`+x+`}]}`)
	}},
	{name: "statement substatement's context contextAgents agent", agents: true, only: "2", build: func(x string) string {
		return adlStmt("", adlSub("", "", `"context":{"contextAgents":[{"objectType":"contextAgent","agent":`+x+`,"relevantTypes":["http://example.com/types/coach"]}]}`), "")
	}},
}

// actorVariant is an Agent or Group value with the verdict the ADL suite
// expects for it.
type actorVariant struct {
	name  string
	group bool
	ok    bool
	json  string
	// untyped: the value has no objectType (so it cannot be a statement
	// object, where objectType is required).
	untyped bool
}

const (
	ifiMbox    = `"mbox":"mailto:xapi@adlnet.gov"`
	ifiSHA1    = `"mbox_sha1sum":"cd9b00a5611f94eaa7b1661edab976068e364975"`
	ifiOpenID  = `"openid":"http://openid.example.org/12345"`
	ifiAccount = `"account":{"homePage":"http://www.example.com","name":"xAPI account name"}`
	twoMembers = `"member":[{"objectType":"Agent","name":"xAPI mbox","mbox":"mailto:xapi@adlnet.gov"},{"name":"xAPI account","account":{"homePage":"http://www.example.com","name":"xAPI account name"}}]`
)

func agentWith(props ...string) string {
	return `{"objectType":"Agent","name":"xAPI agent",` + strings.Join(props, ",") + `}`
}

func groupWith(props ...string) string {
	return `{"objectType":"Group","name":"xAPI group",` + strings.Join(props, ",") + `}`
}

func actorVariants() []actorVariant {
	ifis := []struct{ name, prop string }{{"mbox", ifiMbox}, {"mbox_sha1sum", ifiSHA1}, {"openid", ifiOpenID}, {"account", ifiAccount}}
	vs := []actorVariant{
		{name: `agent without objectType (Data 2.4.2.1 XAPI-00032)`, ok: true, untyped: true, json: `{"name":"xAPI mbox",` + ifiMbox + `}`},
		{name: `agent "objectType" "agent" lower case (Data 2.4.2.1)`, json: `{"objectType":"agent",` + ifiMbox + `}`},
		{name: `agent "objectType" "group" lower case (Data 2.4.2.1)`, json: `{"objectType":"group",` + ifiMbox + `}`},
		{name: `agent "objectType" a number (Data 2.2 XAPI-00006)`, json: `{"objectType":1,` + ifiMbox + `}`},
		{name: `agent "name" null (Data 2.2 XAPI-00001)`, json: `{"objectType":"Agent","name":null,` + ifiMbox + `}`},
		{name: `agent "name" a number (Data 2.4.2.1 XAPI-00033)`, json: `{"objectType":"Agent","name":7,` + ifiMbox + `}`},
		{name: `agent without an IFI (Data 2.4.2.1 XAPI-00034)`, json: `{"objectType":"Agent","name":"no ifi"}`},
		{name: `agent with an unknown property (Data 2.2)`, json: agentWith(ifiMbox, `"nickname":"x"`)},
		{name: `agent "mbox" without mailto (Data 2.4.2.3 XAPI-00038)`, json: agentWith(`"mbox":"xapi@adlnet.gov"`)},
		{name: `agent "mbox" an empty string (Data 2.2 XAPI-00007)`, json: agentWith(`"mbox":""`)},
		{name: `agent "mbox" a number (Data 2.4.2.3)`, json: agentWith(`"mbox":12345`)},
		{name: `agent "mbox_sha1sum" not a hex SHA-1 (Data 2.4.2.3)`, json: agentWith(`"mbox_sha1sum":"not-a-sha1"`)},
		{name: `agent "mbox_sha1sum" an object (Data 2.4.2.3)`, json: agentWith(`"mbox_sha1sum":{"key":"should fail"}`)},
		{name: `agent "openid" without a scheme (Data 2.2 XAPI-00011)`, json: agentWith(`"openid":"open.id.com/testUser"`)},
		{name: `agent "account" without "homePage" (Data 2.4.2.4 XAPI-00039)`, json: agentWith(`"account":{"name":"xAPI account name"}`)},
		{name: `agent "account" without "name" (Data 2.4.2.4 XAPI-00040)`, json: agentWith(`"account":{"homePage":"http://www.example.com"}`)},
		{name: `agent "account" "homePage" without a scheme (Data 2.2 XAPI-00011)`, json: agentWith(`"account":{"homePage":"homePage.com/testUser","name":"123456"}`)},
		{name: `agent "account" "name" an object (Data 2.2 XAPI-00007)`, json: agentWith(`"account":{"homePage":"http://www.example.com","name":{"key":"should fail"}}`)},
		{name: `agent "account" with an unknown property (Data 2.4.2.4)`, json: agentWith(`"account":{"homePage":"http://www.example.com","name":"n","id":"x"}`)},
		{name: `agent with "member" (Data 2.4.2.2 XAPI-00035)`, json: agentWith(ifiMbox, twoMembers)},

		{name: `anonymous group with two members (Data 2.4.2.2 XAPI-00035)`, group: true, ok: true, json: `{"objectType":"Group",` + twoMembers + `}`},
		{name: `anonymous group with one member (Data 2.4.2.2)`, group: true, ok: true, json: `{"objectType":"Group","member":[` + adlAgent + `]}`},
		{name: `anonymous group with a member of each IFI (Data 2.4.2.2)`, group: true, ok: true, json: `{"objectType":"Group","name":"Group Anonymous with each IFI","member":[{"objectType":"Agent",` + ifiMbox + `},{"objectType":"Agent",` + ifiSHA1 + `},{"objectType":"Agent",` + ifiOpenID + `},{"objectType":"Agent",` + ifiAccount + `}]}`},
		{name: `identified group with a member of each IFI (Data 2.4.2.2)`, group: true, ok: true, json: groupWith(ifiMbox, `"member":[{"objectType":"Agent",`+ifiMbox+`},{"objectType":"Agent",`+ifiSHA1+`},{"objectType":"Agent",`+ifiOpenID+`},{"objectType":"Agent",`+ifiAccount+`}]`)},
		{name: `anonymous group without "member" (Data 2.4.2.2 XAPI-00035)`, group: true, json: `{"objectType":"Group","name":"no members"}`},
		{name: `anonymous group with "member" an empty array (Data 2.4.2.2 XAPI-00036)`, group: true, json: `{"objectType":"Group","member":[]}`},
		{name: `group "member" an Agent object, not an array (Data 2.4.2.2 XAPI-00036)`, group: true, json: `{"objectType":"Group","member":` + adlAgent + `}`},
		{name: `group "member" holding a Group (Data 2.4.2.2 XAPI-00036)`, group: true, json: `{"objectType":"Group","member":[{"objectType":"Group",` + ifiMbox + `}]}`},
		{name: `group "member" holding an agent without IFI (Data 2.4.2.2 XAPI-00036)`, group: true, json: `{"objectType":"Group","member":[{"name":"nobody"}]}`},
		{name: `group "member" holding an agent with two IFIs (Data 2.4.2.2 XAPI-00036)`, group: true, json: `{"objectType":"Group","member":[{` + ifiMbox + `,` + ifiOpenID + `}]}`},
		{name: `group "member" holding a string (Data 2.4.2.2 XAPI-00036)`, group: true, json: `{"objectType":"Group","member":["mailto:xapi@adlnet.gov"]}`},
		{name: `group "objectType" "group" lower case (Data 2.4.2.2)`, group: true, json: `{"objectType":"group",` + ifiMbox + `}`},
		{name: `identified group "mbox" without mailto (Data 2.4.2.3 XAPI-00037)`, group: true, json: groupWith(`"mbox":"xapi@adlnet.gov"`)},
		{name: `identified group "account" without "name" (Data 2.4.2.4)`, group: true, json: groupWith(`"account":{"homePage":"http://www.example.com"}`)},
		{name: `identified group "account" "name" an object (Data 2.2 XAPI-00007)`, group: true, json: groupWith(`"account":{"homePage":"http://www.example.com","name":{"key":"should fail"}}`)},
	}
	// configs/ifis.js (Data 2.4.2.3 XAPI-00038..40) for both Agents and
	// identified Groups.
	for _, g := range []bool{false, true} {
		kind, with := "agent", agentWith
		if g {
			kind, with = "identified group", groupWith
		}
		vs = append(vs,
			actorVariant{name: kind + ` "mbox" an http IRI (Data 2.4.2.3 XAPI-00038)`, group: g, json: with(`"mbox":"http://should.fail.com"`)},
			actorVariant{name: kind + ` "mbox" mailto without an address (Data 2.4.2.3 XAPI-00038)`, group: g, json: with(`"mbox":"mailto:should.fail.com"`)},
			actorVariant{name: kind + ` "mbox_sha1sum" an object (Data 2.4.2.3 XAPI-00039)`, group: g, json: with(`"mbox_sha1sum":{"key":"value"}`)},
			actorVariant{name: kind + ` "openid" an invalid URI (Data 2.4.2.3 XAPI-00040)`, group: g, json: with(`"openid":"ab=c://should.fail.com"`)},
			actorVariant{name: kind + ` "account" "homePage" an invalid IRL (Data 2.4.2.4)`, group: g, json: with(`"account":{"homePage":"ab=c://should.fail.com","name":"n"}`)},
			actorVariant{name: kind + ` "name" an object (Data 2.4.2.1)`, group: g, json: strings.Replace(with(ifiMbox), `"name":"xAPI `, `"name":{"key":"value"},"x":"`, 1)},
		)
	}
	vs = append(vs,
		actorVariant{name: `agent "objectType" an object (Data 2.4.2.1)`, json: `{"objectType":{"key":"value"},` + ifiMbox + `}`},
		actorVariant{name: `group "objectType" a number (Data 2.4.2.2)`, group: true, json: `{"objectType":123,` + twoMembers + `}`},
	)
	for i, a := range ifis {
		vs = append(vs,
			actorVariant{name: `agent accepts "` + a.name + `" (Data 2.4.2.1 XAPI-00034)`, ok: true, json: agentWith(a.prop)},
			actorVariant{name: `identified group accepts "` + a.name + `" with members (Data 2.4.2.2 XAPI-00037)`, group: true, ok: true, json: groupWith(a.prop, twoMembers)},
			actorVariant{name: `identified group accepts "` + a.name + `" without members (Data 2.4.2.2 XAPI-00037)`, group: true, ok: true, json: groupWith(a.prop)},
		)
		for _, b := range ifis[i+1:] {
			vs = append(vs,
				actorVariant{name: `agent "` + a.name + `" cannot be used with "` + b.name + `" (Data 2.4.2.1 XAPI-00034)`, json: agentWith(a.prop, b.prop)},
				actorVariant{name: `identified group "` + a.name + `" cannot be used with "` + b.name + `" (Data 2.4.2.2 XAPI-00037)`, group: true, json: groupWith(a.prop, b.prop)},
			)
		}
	}
	return vs
}

// actorCases crosses every Agent/Group variant with every position.
func actorCases() []adlCase {
	var out []adlCase
	for _, p := range actorPositions {
		for _, v := range actorVariants() {
			if (v.group && !p.groups) || (!v.group && !p.agents) {
				continue
			}
			if v.group && v.ok && p.noValidGroups {
				continue
			}
			ok := v.ok
			if v.untyped && p.needsType {
				ok = false // Data 2.4.4.2: an Agent as object must say objectType "Agent"
			}
			out = append(out, adlCase{name: p.name + ": " + v.name, body: p.build(v.json), ok: ok, only: p.only})
		}
	}
	// The authority rule itself (Data 2.4.9): a Group of two Agents is the
	// OAuth form and is accepted.
	out = append(out,
		adlCase{name: `statement authority: anonymous group of two agents (Data 2.4.9 XAPI-00098)`, body: adlStmt("", "", `"authority":{"objectType":"Group",`+twoMembers+`}`), ok: true},
		adlCase{name: `statement context team: an Agent is refused (Data 2.4.6 XAPI-00104)`, body: adlStmt("", "", `"context":{"team":`+adlAgent+`}`)},
		adlCase{name: `statement context contextGroups group: an Agent is refused (Data 2.4.6.3 2.0)`, body: adlStmt("", "", `"context":{"contextGroups":[{"objectType":"contextGroup","group":`+adlAgent+`}]}`), only: "2"},
		adlCase{name: `statement context contextAgents agent: a Group is refused (Data 2.4.6.2 2.0)`, body: adlStmt("", "", `"context":{"contextAgents":[{"objectType":"contextAgent","agent":{"objectType":"Group",`+twoMembers+`}}]}`), only: "2"},
	)
	return out
}

// adlDataCases lists every mirrored check.
func adlDataCases() []adlCase {
	att := func(over string) string {
		a := `{"usageType":"http://example.com/attachment-usage/test","display":{"en-US":"A test attachment"},"description":{"en-US":"A test attachment (description)"},"contentType":"text/plain; charset=ascii","length":27,"sha2":"` + adlSHA2 + `","fileUrl":"http://over.there.com/file.txt"}`
		if over != "" {
			a = over
		}
		return adlStmt("", "", `"attachments":[`+a+`]`)
	}
	attWith := func(props string) string { return att(`{` + props + `}`) }
	const (
		attUsage = `"usageType":"http://example.com/attachment-usage/test"`
		attDisp  = `"display":{"en-US":"A test attachment"}`
		attCT    = `"contentType":"text/plain; charset=ascii"`
		attLen   = `"length":27`
		attSHA   = `"sha2":"` + adlSHA2 + `"`
		attURL   = `"fileUrl":"http://over.there.com/file.txt"`
	)
	def := func(d string) string {
		return adlStmt("", `{"objectType":"Activity","id":"http://www.example.com/meetings/occurrences/34534","definition":`+d+`}`, "")
	}
	res := func(r string) string { return adlStmt("", "", `"result":`+r) }
	ctx := func(c string) string { return adlStmt("", "", `"context":`+c) }
	ts := func(t string) string { return adlStmt("", "", `"timestamp":"`+t+`"`) }
	dur := func(d string) string { return res(`{"duration":"` + d + `"}`) }
	ref := func(id string) string { return adlStmt("", `{"objectType":"StatementRef","id":`+id+`}`, "") }
	sub := func(extra string) string { return adlStmt("", adlSub("", "", extra), "") }
	verb := func(v string) string {
		return `{"actor":` + adlAgent + `,"verb":` + v + `,"object":` + adlActivity + `}`
	}
	const nullExt = `"extensions":{"http://example.com/null":null}`
	const uuidOK = `"fd41c918-b88b-4b20-a0a5-a4c32391aaa0"`

	cases := []adlCase{
		// Data 2.2 Formatting (configs/formatting.js).
		{name: `Data 2.2.s2.b3 XAPI-00003 statement "actor" missing`, body: `{"verb":` + adlVerb + `,"object":` + adlActivity + `}`},
		{name: `Data 2.2.s2.b3 XAPI-00004 statement "verb" missing`, body: `{"actor":` + adlAgent + `,"object":` + adlActivity + `}`},
		{name: `Data 2.2.s2.b3 XAPI-00005 statement "object" missing`, body: `{"actor":` + adlAgent + `,"verb":` + adlVerb + `}`},
		{name: `Data 2.2.s4.b1.b1 XAPI-00001 verb display value null`, body: verb(`{"id":"http://adlnet.gov/expapi/verbs/attended","display":{"en-US":null}}`)},
		{name: `Data 2.2.s4.b1.b1 XAPI-00001 context registration null`, body: ctx(`{"registration":null}`)},
		{name: `Data 2.2.s4.b1.b1 XAPI-00001 activity definition moreInfo null`, body: def(`{"moreInfo":null}`)},
		{name: `Data 2.2.s4.b1.b1 XAPI-00001 top-level result null`, body: adlStmt("", "", `"result":null`)},
		{name: `Data 2.2.s4.b1.b1 XAPI-00001 activity extensions can hold null`, body: def(`{` + nullExt + `}`), ok: true},
		{name: `Data 2.2.s4.b1.b1 XAPI-00001 result extensions can hold null`, body: res(`{` + nullExt + `}`), ok: true},
		{name: `Data 2.2.s4.b1.b1 XAPI-00001 context extensions can hold null`, body: ctx(`{` + nullExt + `}`), ok: true},
		{name: `Data 2.2.s4.b1.b1 XAPI-00001 substatement activity extensions can hold null`, body: adlStmt("", adlSub("", `{"objectType":"Activity","id":"http://www.example.com/a","definition":{`+nullExt+`}}`, ""), ""), ok: true},
		{name: `Data 2.2.s4.b1.b1 XAPI-00001 substatement result extensions can hold null`, body: sub(`"result":{` + nullExt + `}`), ok: true},
		{name: `Data 2.2.s4.b1.b1 XAPI-00001 substatement context extensions can hold null`, body: sub(`"context":{` + nullExt + `}`), ok: true},
		{name: `Data 2.2.s4.b2 XAPI-00006 string where a number is required`, body: res(`{"score":{"max":"one hundred"}}`)},
		{name: `Data 2.2.s4.b2 XAPI-00006 string where a number is required, even if numeric`, body: res(`{"score":{"max":"100"}}`)},
		{name: `Data 2.2.s4.b2 XAPI-00006 string where a boolean is required`, body: res(`{"success":"We regret to inform you that your effort was unsuccessful."}`)},
		{name: `Data 2.2.s4.b2 XAPI-00006 string where a boolean is required, even if boolean-like`, body: res(`{"completion":"false"}`)},
		{name: `Data 2.2.s4.b4 XAPI-00007 statement "id" numeric`, body: adlStmt("", "", `"id":12345`)},
		{name: `Data 2.2.s4.b4 XAPI-00007 statement "id" an object`, body: adlStmt("", "", `"id":{"key":"should fail"}`)},
		{name: `Data 2.2.s4.b4 XAPI-00007 statement "id" UUID with too many digits`, body: adlStmt("", "", `"id":"AA97B177-9383-4934-8543-0F91A7A028368"`)},
		{name: `Data 2.2.s4.b4 XAPI-00007 statement "id" UUID with a non-hex letter`, body: adlStmt("", "", `"id":"MA97B177-9383-4934-8543-0F91A7A02836"`)},
		{name: `Data 2.2.s4.b4 XAPI-00007 statement "id" an empty string`, body: adlStmt("", "", `"id":""`)},
		{name: `Data 2.2.s4.b4 XAPI-00007 statement "id" upper-case UUID is accepted`, body: adlStmt("", "", `"id":"%UPPERID%"`), ok: true},
		{name: `Data 2.2.s4.b4 XAPI-00007 context registration not a UUID`, body: ctx(`{"registration":"not-a-uuid"}`)},
		{name: `Data 2.2.s4.b4 XAPI-00007 context registration numeric`, body: ctx(`{"registration":12345}`)},
		{name: `Data 2.2.s4.b4 XAPI-00007 verb id an empty string`, body: verb(`{"id":""}`)},
		{name: `Data 2.2.s4.b4 XAPI-00007 object id an empty string`, body: adlStmt("", `{"objectType":"Activity","id":""}`, "")},
		{name: `Data 2.2.s4.b1.b8 XAPI-00011 verb id without a scheme`, body: verb(`{"id":"adlnet.gov/expapi/verbs/attended"}`)},
		{name: `Data 2.2.s4.b1.b8 XAPI-00011 object id without a scheme`, body: adlStmt("", `{"objectType":"Activity","id":"www.example.com/meetings/occurrences/34534"}`, "")},
		{name: `Data 2.2.s4.b1.b8 XAPI-00011 activity definition type without a scheme`, body: def(`{"type":"www.example.com/activity-types/meeting"}`)},
		{name: `Data 2.2.s4.b1.b8 XAPI-00011 activity definition moreInfo without a scheme`, body: def(`{"moreInfo":"virtualmeeting.example.com/345256"}`)},
		{name: `Data 2.2.s4.b1.b8 XAPI-00011 attachment usageType without a scheme`, body: attWith(`"usageType":"example.com/attachment-usage/test",` + attDisp + `,` + attCT + `,` + attLen + `,` + attSHA + `,` + attURL)},
		{name: `Data 2.2.s4.b1.b8 XAPI-00011 attachment fileUrl without a scheme`, body: attWith(attUsage + `,` + attDisp + `,` + attCT + `,` + attLen + `,` + attSHA + `,"fileUrl":"over.there.com/file.txt"`)},
		{name: `Data 2.2.s4.b1.b8 XAPI-00011 activity definition extension key without a scheme`, body: def(`{"extensions":{"not.valid.com/extension":1234}}`)},
		{name: `Data 2.2.s4.b1.b8 XAPI-00011 context extension key without a scheme`, body: ctx(`{"extensions":{"example.com/extension/wrong":1234}}`)},
		{name: `Data 2.2.s4.b1.b8 XAPI-00011 result extension key without a scheme`, body: res(`{"extensions":{"example.com/extension/wrong":1234}}`)},
		{name: `Data 2.2.s4.b1.b8 XAPI-00011 context contextActivities id without a scheme`, body: ctx(`{"contextActivities":{"parent":[{"id":"example.com/parent"}]}}`)},
		{name: `Data 2.1 XAPI-00014 actor objectType holding an embedded quoted string`, body: adlStmt(`{"objectType":"\"objectType\": \"Agent\"",`+ifiMbox+`}`, "", "")},
		{name: `Data 2.2 XAPI-00013 statement with an unknown top-level property`, body: adlStmt("", "", `"foo":"bar"`)},
		{name: `Data 2.2 XAPI-00013 property names are case sensitive ("Actor")`, body: `{"Actor":` + adlAgent + `,"verb":` + adlVerb + `,"object":` + adlActivity + `}`},
		{name: `Data 2.2 a statement that is not a JSON object`, body: `"statement"`},
		{name: `Data 2.2 a statement that is a JSON number`, body: `42`},

		// Language maps (Data 4.2).
		{name: `Data 4.2 XAPI-00112 verb display with an invalid language tag`, body: verb(`{"id":"http://adlnet.gov/expapi/verbs/attended","display":{"something":"attended"}}`)},
		{name: `Data 4.2 XAPI-00112 verb display not an object`, body: verb(`{"id":"http://adlnet.gov/expapi/verbs/attended","display":"attended"}`)},
		{name: `Data 4.2 XAPI-00112 verb display value a number`, body: verb(`{"id":"http://adlnet.gov/expapi/verbs/attended","display":{"en-US":1}}`)},
		{name: `Data 4.2 verb display with two languages is accepted`, body: verb(`{"id":"http://adlnet.gov/expapi/verbs/attended","display":{"en-US":"attended","es":"asistió"}}`), ok: true},
		{name: `Data 4.2 activity name with an invalid language tag`, body: def(`{"name":{"something":"x"}}`)},
		{name: `Data 4.2 activity description with an invalid language tag`, body: def(`{"description":{"en-US":"ok","bad tag":"x"}}`)},
		{name: `Data 4.2 attachment display with an invalid language tag`, body: attWith(attUsage + `,"display":{"en-US":"A test attachment","something":"Un accesorio de prueba"},` + attCT + `,` + attLen + `,` + attSHA + `,` + attURL)},
		{name: `Data 4.2 attachment description with an invalid language tag`, body: attWith(attUsage + `,` + attDisp + `,"description":{"something":"x"},` + attCT + `,` + attLen + `,` + attSHA + `,` + attURL)},
		{name: `Data 4.2 attachment display with two languages is accepted`, body: attWith(attUsage + `,"display":{"en-US":"A test attachment","es":"Un accesorio de prueba"},` + attCT + `,` + attLen + `,` + attSHA + `,` + attURL), ok: true},
		{name: `Data 4.2 attachment description with es-MX is accepted`, body: attWith(attUsage + `,` + attDisp + `,"description":{"en-US":"d","es-MX":"Un accesorio de prueba (descripción)"},` + attCT + `,` + attLen + `,` + attSHA + `,` + attURL), ok: true},
		{name: `Data 4.2 substatement verb display with an invalid language tag`, body: adlStmt("", `{"objectType":"SubStatement","actor":`+adlAgent+`,"verb":{"id":"http://adlnet.gov/expapi/verbs/attended","display":{"not a tag":"x"}},"object":`+adlActivity+`}`, "")},
		{name: `Data 4.2 substatement activity name with an invalid language tag`, body: adlStmt("", adlSub("", `{"id":"http://www.example.com/a","definition":{"name":{"something":"x"}}}`, ""), "")},
		{name: `Data 4.2 substatement activity description with an invalid language tag`, body: adlStmt("", adlSub("", `{"id":"http://www.example.com/a","definition":{"description":{"something":"x"}}}`, ""), "")},

		// configs/languages.js: a language map is an object with at least
		// one entry, keyed by RFC 5646 tags (Data 4.2 XAPI-00121).
		{name: `Data 4.2 language map: verb display an empty map`, body: verb(`{"id":"http://adlnet.gov/expapi/verbs/attended","display":{}}`)},
		{name: `Data 4.2 language map: verb display tag a12345`, body: verb(`{"id":"http://adlnet.gov/expapi/verbs/attended","display":{"a12345":"should error"}}`)},
		{name: `Data 4.2 language map: activity name an empty map`, body: def(`{"name":{}}`)},
		{name: `Data 4.2 language map: activity name a string`, body: def(`{"name":"should error"}`)},
		{name: `Data 4.2 language map: activity description an empty map`, body: def(`{"description":{}}`)},
		{name: `Data 4.2 language map: activity description a string`, body: def(`{"description":"should error"}`)},
		{name: `Data 4.2 language map: activity name tag a12345`, body: def(`{"name":{"a12345":"should error"}}`)},
		{name: `Data 4.2 language map: attachment display an empty map`, body: attWith(attUsage + `,"display":{},` + attCT + `,` + attLen + `,` + attSHA + `,` + attURL)},
		{name: `Data 4.2 language map: attachment description an empty map`, body: attWith(attUsage + `,` + attDisp + `,"description":{},` + attCT + `,` + attLen + `,` + attSHA + `,` + attURL)},
		{name: `Data 4.2 language map: attachment description a string`, body: attWith(attUsage + `,` + attDisp + `,"description":"should error",` + attCT + `,` + attLen + `,` + attSHA + `,` + attURL)},
		{name: `Data 4.2 language map: attachment display tag a12345`, body: attWith(attUsage + `,"display":{"a12345":"should error"},` + attCT + `,` + attLen + `,` + attSHA + `,` + attURL)},
		{name: `Data 4.2 language map: substatement verb display an empty map`, body: adlStmt("", `{"objectType":"SubStatement","actor":`+adlAgent+`,"verb":{"id":"http://adlnet.gov/expapi/verbs/attended","display":{}},"object":`+adlActivity+`}`, "")},
		{name: `Data 4.2 language map: substatement verb display a string`, body: adlStmt("", `{"objectType":"SubStatement","actor":`+adlAgent+`,"verb":{"id":"http://adlnet.gov/expapi/verbs/attended","display":"should error"},"object":`+adlActivity+`}`, "")},
		{name: `Data 4.2 language map: substatement activity name an empty map`, body: adlStmt("", adlSub("", `{"id":"http://www.example.com/a","definition":{"name":{}}}`, ""), "")},
		{name: `Data 4.2 language map: substatement activity description a string`, body: adlStmt("", adlSub("", `{"id":"http://www.example.com/a","definition":{"description":"should error"}}`, ""), "")},
		{name: `Data 4.2 language map: activity without name or description is accepted`, body: def(`{"type":"http://adlnet.gov/expapi/activities/meeting"}`), ok: true},

		// XAPI-00008/00010: key case (configs/formatting.js).
		{name: `Data 2.2.s4.b1.b5 XAPI-00008 key "iD"`, body: adlStmt("", "", `"iD":"fd41c918-b88b-4b20-a0a5-a4c32391aaa0"`)},
		{name: `Data 2.2.s4.b1.b5 XAPI-00008 key "veRb"`, body: `{"actor":` + adlAgent + `,"veRb":` + adlVerb + `,"object":` + adlActivity + `}`},
		{name: `Data 2.2.s4.b1.b5 XAPI-00008 key "oBject"`, body: `{"actor":` + adlAgent + `,"verb":` + adlVerb + `,"oBject":` + adlActivity + `}`},
		{name: `Data 2.2.s4.b1.b5 XAPI-00008 key "RESULT"`, body: adlStmt("", "", `"RESULT":{"success":true}`)},
		{name: `Data 2.2.s4.b1.b5 XAPI-00008 key "conText"`, body: adlStmt("", "", `"conText":{"platform":"x"}`)},
		{name: `Data 2.2.s4.b1.b5 XAPI-00008 key "timeStamp"`, body: adlStmt("", "", `"timeStamp":"1776-07-04T16:00:45.123Z"`)},
		{name: `Data 2.2.s4.b1.b5 XAPI-00008 key "STOred"`, body: adlStmt("", "", `"STOred":"1787-09-17T09:33:32.111Z"`)},
		{name: `Data 2.2.s4.b1.b5 XAPI-00008 key "auTHORity"`, body: adlStmt("", "", `"auTHORity":`+adlAgent)},
		{name: `Data 2.2.s4.b1.b5 XAPI-00008 key "Version"`, body: adlStmt("", "", `"Version":"1.0.0"`)},
		{name: `Data 2.2.s4.b1.b5 XAPI-00008 key "attachmentS"`, body: adlStmt("", "", `"attachmentS":[{"usageType":"http://example.com/u","display":{"en-US":"a"},"contentType":"text/plain","length":27,"sha2":"`+adlSHA2+`","fileUrl":"http://over.there.com/file.txt"}]`)},
		{name: `Data 2.2.s4.b1.b5 XAPI-00008 key "MBOX" in an agent`, body: adlStmt(`{"objectType":"Agent","MBOX":"mailto:xapi@adlnet.gov"}`, "", "")},
		{name: `Data 2.2.s4.b1.b5 XAPI-00008 key "Display" in a verb`, body: verb(`{"id":"http://adlnet.gov/expapi/verbs/attended","Display":{"en-US":"attended"}}`)},

		// XAPI-00009: enumerated values are case sensitive.
		{name: `Data 2.2.s4.b1.b6 XAPI-00009 interactionType "true-faLse"`, body: def(`{"interactionType":"true-faLse","correctResponsesPattern":["true"]}`)},
		{name: `Data 2.2.s4.b1.b6 XAPI-00009 interactionType "choiCe"`, body: def(`{"interactionType":"choiCe"}`)},
		{name: `Data 2.2.s4.b1.b6 XAPI-00009 interactionType "fill-iN"`, body: def(`{"interactionType":"fill-iN"}`)},
		{name: `Data 2.2.s4.b1.b6 XAPI-00009 interactionType "long-fiLl-in"`, body: def(`{"interactionType":"long-fiLl-in"}`)},
		{name: `Data 2.2.s4.b1.b6 XAPI-00009 interactionType "matchIng"`, body: def(`{"interactionType":"matchIng"}`)},
		{name: `Data 2.2.s4.b1.b6 XAPI-00009 interactionType "perfOrmance"`, body: def(`{"interactionType":"perfOrmance"}`)},
		{name: `Data 2.2.s4.b1.b6 XAPI-00009 interactionType "seqUencing"`, body: def(`{"interactionType":"seqUencing"}`)},
		{name: `Data 2.2.s4.b1.b6 XAPI-00009 interactionType "liKert"`, body: def(`{"interactionType":"liKert"}`)},
		{name: `Data 2.2.s4.b1.b6 XAPI-00009 interactionType "nUmeric"`, body: def(`{"interactionType":"nUmeric"}`)},
		{name: `Data 2.2.s4.b1.b6 XAPI-00009 interactionType "Other"`, body: def(`{"interactionType":"Other"}`)},
		{name: `Data 2.2.s4.b1.b6 XAPI-00009 objectType "Substatement"`, body: adlStmt("", strings.Replace(adlSub("", "", ""), "SubStatement", "Substatement", 1), "")},
		{name: `Data 2.2.s4.b1.b6 XAPI-00009 objectType "StatementREF"`, body: adlStmt("", `{"objectType":"StatementREF","id":`+uuidOK+`}`, "")},

		// XAPI-00013: RFC 5646 tags in language maps and context.language.
		{name: `Data 2.2 XAPI-00013 verb display "de" is accepted`, body: verb(`{"id":"http://adlnet.gov/expapi/verbs/attended","display":{"de":"besucht"}}`), ok: true},
		{name: `Data 2.2 XAPI-00013 activity name "de-DE" is accepted`, body: def(`{"name":{"de-DE":"Beispiel Treffen"}}`), ok: true},
		{name: `Data 2.2 XAPI-00013 activity name "something"`, body: def(`{"name":{"en-GB":"example meeting","something":"Beispiel Treffen"}}`)},
		{name: `Data 2.2 XAPI-00013 activity description "zh-Hant" is accepted`, body: def(`{"description":{"zh-Hant":"x"}}`), ok: true},
		{name: `Data 2.2 XAPI-00013 activity description "en-something-AU"`, body: def(`{"description":{"en-GB":"x","en-something-AU":"x"}}`)},
		{name: `Data 2.2 XAPI-00013 interaction component description "sr-Latn-RS" is accepted`, body: def(`{"interactionType":"likert","scale":[{"id":"likert_0","description":{"sr-Latn-RS":"x"}}]}`), ok: true},
		{name: `Data 2.2 XAPI-00013 context language "cmn" is accepted`, body: ctx(`{"language":"cmn"}`), ok: true},
		{name: `Data 2.2 XAPI-00013 context language "something"`, body: ctx(`{"language":"something"}`)},
		{name: `Data 2.2 XAPI-00013 substatement verb display "sr-Cyrl" is accepted`, body: adlStmt("", `{"objectType":"SubStatement","actor":`+adlAgent+`,"verb":{"id":"http://adlnet.gov/expapi/verbs/reported","display":{"sr-Cyrl":"x"}},"object":`+adlActivity+`}`, ""), ok: true},
		{name: `Data 2.2 XAPI-00013 substatement activity name "zh-Hans-CN" is accepted`, body: adlStmt("", adlSub("", `{"id":"http://www.example.com/a","definition":{"name":{"zh-Hans-CN":"x"}}}`, ""), ""), ok: true},
		{name: `Data 2.2 XAPI-00013 substatement activity name "zh-z-aaa-z-bbb-c-ccc" (a repeated extension singleton)`, body: adlStmt("", adlSub("", `{"id":"http://www.example.com/a","definition":{"name":{"zh-z-aaa-z-bbb-c-ccc":"x"}}}`, ""), "")},
		{name: `Data 2.2 XAPI-00013 substatement activity description "ase" is accepted`, body: adlStmt("", adlSub("", `{"id":"http://www.example.com/a","definition":{"description":{"ase":"x"}}}`, ""), ""), ok: true},
		{name: `Data 2.2 XAPI-00013 substatement interaction component description "ja" is accepted`, body: adlStmt("", adlSub("", `{"id":"http://www.example.com/a","definition":{"interactionType":"choice","choices":[{"id":"a","description":{"ja":"x"}}]}}`, ""), ""), ok: true},
		{name: `Data 2.2 XAPI-00013 substatement context language "fr-CA" is accepted`, body: sub(`"context":{"language":"fr-CA"}`), ok: true},
		{name: `Data 2.2 XAPI-00013 substatement context language "something"`, body: sub(`"context":{"language":"something"}`)},

		// Verbs (configs/verbs.js, Data 2.4.3).
		{name: `Data 2.4.3 XAPI-00041 verb "id" missing`, body: verb(`{"display":{"en-US":"attended"}}`)},
		{name: `Data 2.4.3 XAPI-00041 verb "id" a number`, body: verb(`{"id":1}`)},
		{name: `Data 2.4.3 verb without "display" is accepted`, body: verb(`{"id":"http://adlnet.gov/expapi/verbs/attended"}`), ok: true},
		{name: `Data 2.4.3 verb with an unknown property`, body: verb(`{"id":"http://adlnet.gov/expapi/verbs/attended","name":"x"}`)},
		{name: `Data 2.4.3 verb an empty object`, body: verb(`{}`)},
		{name: `Data 2.4.3 verb a string`, body: verb(`"http://adlnet.gov/expapi/verbs/attended"`)},
		{name: `Data 2.4.3 substatement verb "id" without a scheme`, body: adlStmt("", `{"objectType":"SubStatement","actor":`+adlAgent+`,"verb":{"id":"attended"},"object":`+adlActivity+`}`, "")},
		{name: `Data 2.3.2 XAPI-00044 voided verb with an Activity object`, body: verb(`{"id":"http://adlnet.gov/expapi/verbs/voided"}`)},

		{name: `Data 2.3.2 XAPI-00019/20 voiding a statement the LRS does not hold is accepted`, body: voidingStmt("fd41c918-b88b-4b20-a0a5-a4c32391aaa0"), ok: true},
		{name: `Data 2.3.2 XAPI-00017 voided verb with a SubStatement object`, body: `{"actor":` + adlAgent + `,"verb":{"id":"http://adlnet.gov/expapi/verbs/voided"},"object":` + adlSub("", "", "") + `}`},
		{name: `Data 2.3.2 XAPI-00017 voided verb with an Agent object`, body: `{"actor":` + adlAgent + `,"verb":{"id":"http://adlnet.gov/expapi/verbs/voided"},"object":` + adlAgent + `}`},

		// Objects (configs/objects.js, activities.js; Data 2.4.4).
		{name: `Data 2.4.4 XAPI-00045 object "objectType" "activity" lower case`, body: adlStmt("", `{"objectType":"activity","id":"http://www.example.com/a"}`, "")},
		{name: `Data 2.4.4 XAPI-00045 object "objectType" "statementref" lower case`, body: adlStmt("", `{"objectType":"statementref","id":`+uuidOK+`}`, "")},
		{name: `Data 2.4.4 XAPI-00045 object "objectType" "substatement" lower case`, body: adlStmt("", strings.Replace(adlSub("", "", ""), "SubStatement", "substatement", 1), "")},
		{name: `Data 2.4.4.1 XAPI-00047 object without objectType is an Activity`, body: adlStmt("", `{"id":"http://www.example.com/a"}`, ""), ok: true},
		{name: `Data 2.4.4.1 XAPI-00046 activity "id" missing`, body: adlStmt("", `{"objectType":"Activity","definition":{"name":{"en-US":"x"}}}`, "")},
		{name: `Data 2.4.4.1 XAPI-00046 activity "id" a number`, body: adlStmt("", `{"objectType":"Activity","id":1}`, "")},
		{name: `Data 2.4.4.1 activity with an unknown property`, body: adlStmt("", `{"objectType":"Activity","id":"http://www.example.com/a","name":"x"}`, "")},
		{name: `Data 2.4.4.1 activity definition not an object`, body: def(`"meeting"`)},
		{name: `Data 2.4.4.1 activity definition with an unknown property`, body: def(`{"title":{"en-US":"x"}}`)},
		{name: `Data 2.4.4.1 activity definition full is accepted`, body: def(`{"name":{"en-US":"Example Meeting"},"description":{"en-US":"An example meeting."},"type":"http://adlnet.gov/expapi/activities/meeting","moreInfo":"http://virtualmeeting.example.com/345256","extensions":{"http://example.com/profiles/meetings/extension/location":"X:\\meetings\\minutes\\examplemeeting.one","http://example.com/profiles/meetings/extension/reporter":{"name":"Thomas","id":"http://openid.com/342"}}}`), ok: true},
		{name: `Data 2.4.4.1 XAPI-00055 interactionType an invalid string`, body: def(`{"type":"http://adlnet.gov/expapi/activities/cmi.interaction","interactionType":"bad"}`)},
		{name: `Data 2.4.4.1 interactionType a number`, body: def(`{"interactionType":1}`)},
		{name: `Data 2.4.4.1 XAPI-00054 correctResponsesPattern not an array`, body: def(`{"interactionType":"true-false","correctResponsesPattern":"true"}`)},
		{name: `Data 2.4.4.1 correctResponsesPattern holding a number`, body: def(`{"interactionType":"numeric","correctResponsesPattern":[4]}`)},
		{name: `Data 2.4.4.1 XAPI-00053 choices without interactionType`, body: def(`{"choices":[{"id":"a","description":{"en-US":"A"}}]}`)},
		{name: `Data 2.4.4.1 XAPI-00052 interaction component without id`, body: def(`{"interactionType":"choice","choices":[{"description":{"en-US":"A"}}]}`)},
		{name: `Data 2.4.4.1 interaction component id a number`, body: def(`{"interactionType":"choice","choices":[{"id":1}]}`)},
		{name: `Data 2.4.4.1 interaction component description with an invalid language tag`, body: def(`{"interactionType":"choice","choices":[{"id":"a","description":{"something":"A"}}]}`)},
		{name: `Data 2.4.4.1 interaction component with an unknown property`, body: def(`{"interactionType":"choice","choices":[{"id":"a","name":"A"}]}`)},
		{name: `Data 2.4.4.1 XAPI-00051 duplicate ids within one component list`, body: def(`{"interactionType":"likert","scale":[{"id":"a"},{"id":"a"}]}`)},
		{name: `Data 2.4.4.1 true-false interaction is accepted`, body: def(`{"type":"http://adlnet.gov/expapi/activities/cmi.interaction","interactionType":"true-false","correctResponsesPattern":["true"]}`), ok: true},
		{name: `Data 2.4.4.1 choice interaction is accepted`, body: def(`{"interactionType":"choice","correctResponsesPattern":["golf[,]tetris"],"choices":[{"id":"golf","description":{"en-US":"Golf Example"}},{"id":"tetris","description":{"en-US":"Tetris Example"}}]}`), ok: true},
		{name: `Data 2.4.4.1 fill-in interaction is accepted`, body: def(`{"interactionType":"fill-in","correctResponsesPattern":["Bob's your uncle"]}`), ok: true},
		{name: `Data 2.4.4.1 long-fill-in interaction is accepted`, body: def(`{"interactionType":"long-fill-in","correctResponsesPattern":["{case_matters=false}{lang=en}To store and provide access to learning experiences."]}`), ok: true},
		{name: `Data 2.4.4.1 likert interaction is accepted`, body: def(`{"interactionType":"likert","correctResponsesPattern":["likert_3"],"scale":[{"id":"likert_0","description":{"en-US":"It's OK"}},{"id":"likert_3","description":{"en-US":"It's Amazing"}}]}`), ok: true},
		{name: `Data 2.4.4.1 matching interaction is accepted`, body: def(`{"interactionType":"matching","correctResponsesPattern":["ben[.]3[,]chris[.]2"],"source":[{"id":"ben","description":{"en-US":"Ben"}},{"id":"chris","description":{"en-US":"Chris"}}],"target":[{"id":"2","description":{"en-US":"Swim"}},{"id":"3","description":{"en-US":"Fencing"}}]}`), ok: true},
		{name: `Data 2.4.4.1 performance interaction is accepted`, body: def(`{"interactionType":"performance","correctResponsesPattern":["pong[.]1:[,]dg[.]:10[,]lunch[.]"],"steps":[{"id":"pong","description":{"en-US":"Net pong"}},{"id":"dg","description":{"en-US":"Frisbee"}},{"id":"lunch","description":{"en-US":"Lunch"}}]}`), ok: true},
		{name: `Data 2.4.4.1 sequencing interaction is accepted`, body: def(`{"interactionType":"sequencing","correctResponsesPattern":["tim[,]mike"],"choices":[{"id":"tim","description":{"en-US":"Tim"}},{"id":"mike","description":{"en-US":"Mike"}}]}`), ok: true},
		{name: `Data 2.4.4.1 numeric interaction is accepted`, body: def(`{"interactionType":"numeric","correctResponsesPattern":["4[:]"]}`), ok: true},
		{name: `Data 2.4.4.1 other interaction is accepted`, body: def(`{"interactionType":"other","correctResponsesPattern":["(35.937432,-86.868896)"]}`), ok: true},
		{name: `Data 2.4.4.1 interaction with an empty correctResponsesPattern is accepted`, body: def(`{"interactionType":"choice","correctResponsesPattern":[]}`), ok: true},

		// StatementRefs (configs/statementrefs.js, Data 2.4.4.3).
		{name: `Data 2.4.4.3 XAPI-00057 StatementRef is accepted`, body: ref(uuidOK), ok: true},
		{name: `Data 2.4.4.3 XAPI-00056 StatementRef "id" missing`, body: adlStmt("", `{"objectType":"StatementRef"}`, "")},
		{name: `Data 2.4.4.3 XAPI-00056 StatementRef "id" not a UUID`, body: ref(`"not-a-uuid"`)},
		{name: `Data 2.4.4.3 XAPI-00056 StatementRef "id" numeric`, body: ref(`12345`)},
		{name: `Data 2.4.4.3 StatementRef without objectType is an Activity, so its UUID id is not an IRI`, body: adlStmt("", `{"id":`+uuidOK+`}`, "")},
		{name: `Data 2.4.4.3 StatementRef with an unknown property`, body: adlStmt("", `{"objectType":"StatementRef","id":`+uuidOK+`,"definition":{}}`, "")},
		{name: `Data 2.4.4.3 context statement a StatementRef is accepted`, body: ctx(`{"statement":{"objectType":"StatementRef","id":` + uuidOK + `}}`), ok: true},
		{name: `Data 2.4.4.3 context statement without objectType`, body: ctx(`{"statement":{"id":` + uuidOK + `}}`)},
		{name: `Data 2.4.4.3 context statement not a UUID`, body: ctx(`{"statement":{"objectType":"StatementRef","id":"x"}}`)},

		// SubStatements (configs/substatements.js, Data 2.4.4.3).
		{name: `Data 2.4.4.3 XAPI-00058 SubStatement is accepted`, body: sub(""), ok: true},
		{name: `Data 2.4.4.3 XAPI-00058 SubStatement with result, context, timestamp and attachments is accepted`, body: sub(`"result":{"success":true},"context":{"registration":` + uuidOK + `,"contextActivities":{"parent":[{"id":"http://www.example.com/p"}]}},"timestamp":"2013-05-18T05:32:34.804Z","attachments":[{"usageType":"http://example.com/u","display":{"en-US":"a"},"contentType":"text/plain","length":27,"sha2":"` + adlSHA2 + `","fileUrl":"http://over.there.com/file.txt"}]`), ok: true},
		{name: `Data 2.4.4.3 XAPI-00059 SubStatement with "id"`, body: sub(`"id":` + uuidOK)},
		{name: `Data 2.4.4.3 XAPI-00059 SubStatement with "stored"`, body: sub(`"stored":"2013-05-18T05:32:34.804Z"`)},
		{name: `Data 2.4.4.3 XAPI-00059 SubStatement with "version"`, body: sub(`"version":"1.0.0"`)},
		{name: `Data 2.4.4.3 XAPI-00059 SubStatement with "authority"`, body: sub(`"authority":` + adlAgent)},
		{name: `Data 2.4.4.3 XAPI-00060 SubStatement holding a SubStatement`, body: adlStmt("", adlSub("", adlSub("", "", ""), ""), "")},
		{name: `Data 2.4.4.3 SubStatement without "actor"`, body: adlStmt("", `{"objectType":"SubStatement","verb":`+adlVerb+`,"object":`+adlActivity+`}`, "")},
		{name: `Data 2.4.4.3 SubStatement without "verb"`, body: adlStmt("", `{"objectType":"SubStatement","actor":`+adlAgent+`,"object":`+adlActivity+`}`, "")},
		{name: `Data 2.4.4.3 SubStatement without "object"`, body: adlStmt("", `{"objectType":"SubStatement","actor":`+adlAgent+`,"verb":`+adlVerb+`}`, "")},
		{name: `Data 2.4.4.3 SubStatement object a StatementRef is accepted`, body: adlStmt("", adlSub("", `{"objectType":"StatementRef","id":`+uuidOK+`}`, ""), ""), ok: true},
		{name: `Data 2.4.4.3 SubStatement with an invalid timestamp`, body: sub(`"timestamp":"01/011/2015"`)},
		{name: `Data 2.4.4.3 SubStatement with an invalid result score`, body: sub(`"result":{"score":{"scaled":2}}`)},
		{name: `Data 2.4.4.3 SubStatement context with an invalid registration`, body: sub(`"context":{"registration":"x"}`)},
		{name: `Data 2.4.4.3 SubStatement context revision with an Agent object`, body: adlStmt("", adlSub("", adlAgent, `"context":{"revision":"1"}`), "")},

		// Results and scores (configs/results.js, scores.js; Data 2.4.5).
		{name: `Data 2.4.5 result full is accepted`, body: res(`{"score":{"scaled":0.95,"raw":95,"min":0,"max":100},"success":true,"completion":true,"response":"We agreed on some example actions.","duration":"PT1H0M0S","extensions":{"http://example.com/profiles/meetings/resultextensions/minuteslocation":"X:\\meetings\\minutes\\examplemeeting.one"}}`), ok: true},
		{name: `Data 2.4.5 result not an object`, body: res(`"passed"`)},
		{name: `Data 2.4.5 result with an unknown property`, body: res(`{"grade":"A"}`)},
		{name: `Data 2.4.5 result "response" a number`, body: res(`{"response":1}`)},
		{name: `Data 2.4.5 result "duration" a number`, body: res(`{"duration":3600}`)},
		{name: `Data 2.4.5 result "extensions" an array`, body: res(`{"extensions":["http://example.com/x"]}`)},
		{name: `Data 2.4.5.1 score with an unknown property`, body: res(`{"score":{"percent":50}}`)},
		{name: `Data 2.4.5.1 score not an object`, body: res(`{"score":50}`)},
		{name: `Data 2.4.5.1 XAPI-00064 scaled 1 is accepted`, body: res(`{"score":{"scaled":1}}`), ok: true},
		{name: `Data 2.4.5.1 XAPI-00064 scaled -1 is accepted`, body: res(`{"score":{"scaled":-1}}`), ok: true},
		{name: `Data 2.4.5.1 XAPI-00064 scaled above 1`, body: res(`{"score":{"scaled":1.01}}`)},
		{name: `Data 2.4.5.1 XAPI-00064 scaled below -1`, body: res(`{"score":{"scaled":-1.01}}`)},
		{name: `Data 2.4.5.1 XAPI-00065 raw below min`, body: res(`{"score":{"raw":-1,"min":0,"max":100}}`)},
		{name: `Data 2.4.5.1 XAPI-00065 raw above max`, body: res(`{"score":{"raw":101,"min":0,"max":100}}`)},
		{name: `Data 2.4.5.1 XAPI-00065 raw equal to min and max is accepted`, body: res(`{"score":{"raw":5,"min":5,"max":5.5}}`), ok: true},
		{name: `Data 2.4.5.1 XAPI-00066 min above max`, body: res(`{"score":{"min":100,"max":0}}`)},
		{name: `Data 2.4.5.1 XAPI-00067 max below min`, body: res(`{"score":{"min":10,"max":9.9}}`)},
		{name: `Data 2.4.5.1 score raw a string`, body: res(`{"score":{"raw":"95"}}`)},
		{name: `Data 2.4.5.1 score scaled a string`, body: res(`{"score":{"scaled":"0.5"}}`)},
		{name: `Data 2.4.5.1 score min a boolean`, body: res(`{"score":{"min":true}}`)},
		{name: `Data 2.2.s4.b3 XAPI-00002 precise floating point score is accepted`, body: res(`{"score":{"min":0.12123434,"raw":12.125,"max":45.45,"scaled":0.12123434}}`), ok: true},

		// Durations (configs/durations.js, Data 4.6).
		{name: `Data 4.6 XAPI-00121 duration PT4H35M59.14S is accepted`, body: dur("PT4H35M59.14S"), ok: true},
		{name: `Data 4.6 XAPI-00121 duration P3Y1M29DT4H35M59.14S is accepted`, body: dur("P3Y1M29DT4H35M59.14S"), ok: true},
		{name: `Data 4.6 XAPI-00121 duration P3Y is accepted`, body: dur("P3Y"), ok: true},
		{name: `Data 4.6 XAPI-00121 duration P4W is accepted`, body: dur("P4W"), ok: true},
		{name: `Data 4.6 XAPI-00121 duration PT0S is accepted`, body: dur("PT0S"), ok: true},
		{name: `Data 4.6 XAPI-00121 duration without P`, body: dur("T4H35M59.14S")},
		{name: `Data 4.6 XAPI-00121 duration P4W1D mixes weeks and days`, body: dur("P4W1D")},
		{name: `Data 4.6 XAPI-00121 duration with hours before T`, body: dur("P4H")},
		{name: `Data 4.6 XAPI-00121 duration an empty string`, body: dur("")},
		{name: `Data 4.6 XAPI-00121 duration with units out of order`, body: dur("PT35M4H")},

		// Timestamps (configs/timestamps.js, Data 4.5 / 2.4.7).
		{name: `Data 4.5 XAPI-00122 timestamp with Z is accepted`, body: ts("2013-05-18T05:32:34.804Z"), ok: true},
		{name: `Data 4.5 XAPI-00122 timestamp with +00:00 is accepted`, body: ts("2013-05-18T05:32:34.804+00:00"), ok: true},
		{name: `Data 4.5 XAPI-00122 timestamp with a positive offset is accepted`, body: ts("2013-05-18T05:32:34.804+05:30"), ok: true},
		{name: `Data 4.5 XAPI-00122 timestamp without fractional seconds is accepted`, body: ts("2013-05-18T05:32:34Z"), ok: true},
		{name: `Data 4.5 XAPI-00122 timestamp with nine fractional digits is accepted`, body: ts("2013-05-18T05:32:34.123456789Z"), ok: true},
		{name: `Data 4.5 XAPI-00122 timestamp 01/011/2015`, body: ts("01/011/2015")},
		{name: `Data 4.5 XAPI-00122 timestamp a date only`, body: ts("2013-05-18")},
		{name: `Data 4.5 XAPI-00122 timestamp with month 13`, body: ts("2013-13-18T05:32:34.804Z")},
		{name: `Data 4.5 XAPI-00122 timestamp with hour 25`, body: ts("2013-05-18T25:32:34.804Z")},
		{name: `Data 4.5 XAPI-00122 timestamp a number`, body: adlStmt("", "", `"timestamp":1368855154`)},
		{name: `Data 4.5 XAPI-00123 timestamp with offset -00:00`, body: ts("2013-05-18T05:32:34.804-00:00")},
		{name: `Data 4.5 XAPI-00123 timestamp with offset -0000`, body: ts("2013-05-18T05:32:34.804-0000")},
		{name: `Data 4.5 XAPI-00123 timestamp with offset -00`, body: ts("2013-05-18T05:32:34.804-00")},
		{name: `2.0 Data 4.5 XAPI-00123 RFC 3339 timestamp with a space separator is accepted`, body: ts("2008-09-15 15:53:00.601+00:00"), ok: true, only: "2"},
		{name: `2.0 Data 4.5 XAPI-00123 RFC 3339 substatement timestamp with a space separator is accepted`, body: sub(`"timestamp":"2008-09-15 15:53:00.601+00:00"`), ok: true, only: "2"},
		{name: `1.0.3 Data 4.5 ISO 8601 timestamp needs the T separator`, body: ts("2008-09-15 15:53:00.601+00:00"), only: "1"},
		{name: `Data 4.5 XAPI-00123 substatement timestamp with offset -00`, body: sub(`"timestamp":"2008-09-15T15:53:00.601-00"`)},
		{name: `Data 4.5 XAPI-00123 substatement timestamp with offset -0000`, body: sub(`"timestamp":"2008-09-15T15:53:00.601-0000"`)},
		{name: `Data 4.5 XAPI-00123 substatement timestamp with offset -00:00`, body: sub(`"timestamp":"2008-09-15T15:53:00.601-00:00"`)},
		{name: `Data 4.6 XAPI-00124 duration PT1H0M0.1S is accepted`, body: dur("PT1H0M0.1S"), ok: true},
		{name: `Data 4.6 XAPI-00124 duration PT16559.14S in a substatement is accepted`, body: sub(`"result":{"duration":"PT16559.14S"}`), ok: true},
		{name: `Data 4.6 XAPI-00124 duration PA1H0M0S`, body: dur("PA1H0M0S")},
		{name: `Data 4.6 XAPI-00124 duration "should fail"`, body: dur("should fail")},
		{name: `Data 4.6 XAPI-00124 substatement duration PA1H0M0S`, body: sub(`"result":{"duration":"PA1H0M0S"}`)},
		{name: `Data 4.6 XAPI-00124 duration an object`, body: res(`{"duration":{"key":"invalid"}}`)},
		{name: `Data 4.6 XAPI-00124 duration in the alternative format (ISO 8601 4.4.3.3)`, body: dur("P0003-01-29T04:35:59")},
		{name: `Data 2.4.8 "stored" supplied by the client is accepted and replaced`, body: adlStmt("", "", `"stored":"2013-05-18T05:32:34.804Z"`), ok: true},
		{name: `Data 2.4.8 "stored" not a timestamp`, body: adlStmt("", "", `"stored":"yesterday"`)},

		// Contexts (configs/contexts.js, contextactivities.js; Data 2.4.6).
		{name: `Data 2.4.6 context full is accepted`, body: ctx(`{"registration":"ec531277-b57b-4c15-8d91-d292c5b2b8f7","instructor":` + adlAgent + `,"team":{"objectType":"Group",` + twoMembers + `},"contextActivities":{"parent":[{"id":"http://www.example.com/meetings/series/267","objectType":"Activity"}],"category":[{"id":"http://www.example.com/meetings/categories/teammeeting","objectType":"Activity","definition":{"name":{"en":"team meeting"}}}],"other":[{"id":"http://www.example.com/meetings/occurrences/34257"}],"grouping":[{"id":"http://www.example.com/g"}]},"revision":"r1","platform":"Example virtual meeting software","language":"tlh","statement":{"objectType":"StatementRef","id":"6690e6c9-3ef0-4ed3-8b37-7f3964730bee"},"extensions":{"http://example.com/profiles/meetings/contextextensions/topic":"Example Meeting"}}`), ok: true},
		{name: `Data 2.4.6 context not an object`, body: ctx(`"context"`)},
		{name: `Data 2.4.6 context with an unknown property`, body: ctx(`{"location":"x"}`)},
		{name: `Data 2.4.6 XAPI-00093 revision with a StatementRef object`, body: adlStmt("", `{"objectType":"StatementRef","id":`+uuidOK+`}`, `"context":{"revision":"1"}`)},
		{name: `Data 2.4.6 XAPI-00093 revision with a Group object`, body: adlStmt("", `{"objectType":"Group",`+twoMembers+`}`, `"context":{"revision":"1"}`)},
		{name: `Data 2.4.6 XAPI-00093 revision with a SubStatement object`, body: adlStmt("", adlSub("", "", ""), `"context":{"revision":"1"}`)},
		{name: `Data 2.4.6 XAPI-00094 platform with an Agent object`, body: adlStmt("", adlAgent, `"context":{"platform":"x"}`)},
		{name: `Data 2.4.6 XAPI-00094 platform with a SubStatement object`, body: adlStmt("", adlSub("", "", ""), `"context":{"platform":"x"}`)},
		{name: `Data 2.4.6 revision a number`, body: ctx(`{"revision":1}`)},
		{name: `Data 2.4.6 platform a number`, body: ctx(`{"platform":1}`)},
		{name: `Data 2.4.6 XAPI-00095 language not RFC 5646`, body: ctx(`{"language":"not a tag"}`)},
		{name: `Data 2.4.6 XAPI-00095 language a number`, body: ctx(`{"language":1}`)},
		{name: `Data 2.4.6 XAPI-00089 context extensions not an object`, body: ctx(`{"extensions":"x"}`)},
		{name: `Data 2.4.6.2 XAPI-00097 contextActivities parent as a single object is accepted`, body: ctx(`{"contextActivities":{"parent":{"id":"http://www.example.com/p"}}}`), ok: true},
		{name: `Data 2.4.6.2 XAPI-00097 contextActivities with an empty array is accepted`, body: ctx(`{"contextActivities":{"category":[]}}`), ok: true},
		{name: `Data 2.4.6.2 XAPI-00096 contextActivities key "Parent" (case)`, body: ctx(`{"contextActivities":{"Parent":[{"id":"http://www.example.com/p"}]}}`)},
		{name: `Data 2.4.6.2 contextActivities not an object`, body: ctx(`{"contextActivities":[{"id":"http://www.example.com/p"}]}`)},
		{name: `Data 2.4.6.2 contextActivities value a string`, body: ctx(`{"contextActivities":{"parent":"http://www.example.com/p"}}`)},
		{name: `Data 2.4.6.2 contextActivities activity without id`, body: ctx(`{"contextActivities":{"other":[{"definition":{"name":{"en":"x"}}}]}}`)},
		{name: `Data 2.4.6.2 contextActivities holding an Agent`, body: ctx(`{"contextActivities":{"other":[` + adlAgent + `]}}`)},
		{name: `Data 2.4.6 registration an upper-case UUID is accepted`, body: ctx(`{"registration":"EC531277-B57B-4C15-8D91-D292C5B2B8F7"}`), ok: true},

		// contextAgents / contextGroups (configs/contextagents.js, contextgroups.js; 2.0 Data 2.4.6.3-4).
		{name: `Data 2.4.6 contextAgents in a 1.0.3 statement`, body: ctx(`{"contextAgents":[{"objectType":"contextAgent","agent":` + adlAgent + `}]}`), only: "1"},
		{name: `Data 2.4.6 contextGroups in a 1.0.3 statement`, body: ctx(`{"contextGroups":[{"objectType":"contextGroup","group":{"objectType":"Group",` + twoMembers + `}}]}`), only: "1"},
		{name: `Data 2.4.6.3 contextAgents with relevantTypes is accepted`, body: ctx(`{"contextAgents":[{"objectType":"contextAgent","agent":` + adlAgent + `,"relevantTypes":["http://example.com/types/coach","http://example.com/types/mentor"]}]}`), ok: true, only: "2"},
		{name: `Data 2.4.6.3 contextAgents an empty array is accepted`, body: ctx(`{"contextAgents":[]}`), ok: true, only: "2"},
		{name: `Data 2.4.6.3 contextAgents not an array`, body: ctx(`{"contextAgents":{"objectType":"contextAgent","agent":` + adlAgent + `}}`), only: "2"},
		{name: `Data 2.4.6.3 contextAgent without objectType`, body: ctx(`{"contextAgents":[{"agent":` + adlAgent + `}]}`), only: "2"},
		{name: `Data 2.4.6.3 contextAgent objectType "ContextAgent" (case)`, body: ctx(`{"contextAgents":[{"objectType":"ContextAgent","agent":` + adlAgent + `}]}`), only: "2"},
		{name: `Data 2.4.6.3 contextAgent without agent`, body: ctx(`{"contextAgents":[{"objectType":"contextAgent","relevantTypes":["http://example.com/t"]}]}`), only: "2"},
		{name: `Data 2.4.6.3 contextAgent relevantTypes an empty array`, body: ctx(`{"contextAgents":[{"objectType":"contextAgent","agent":` + adlAgent + `,"relevantTypes":[]}]}`), only: "2"},
		{name: `Data 2.4.6.3 contextAgent relevantTypes not IRIs`, body: ctx(`{"contextAgents":[{"objectType":"contextAgent","agent":` + adlAgent + `,"relevantTypes":["coach"]}]}`), only: "2"},
		{name: `Data 2.4.6.3 contextAgent relevantTypes a string`, body: ctx(`{"contextAgents":[{"objectType":"contextAgent","agent":` + adlAgent + `,"relevantTypes":"http://example.com/t"}]}`), only: "2"},
		{name: `Data 2.4.6.3 contextAgent with an unknown property`, body: ctx(`{"contextAgents":[{"objectType":"contextAgent","agent":` + adlAgent + `,"role":"coach"}]}`), only: "2"},
		{name: `Data 2.4.6.4 contextGroups with relevantTypes is accepted`, body: ctx(`{"contextGroups":[{"objectType":"contextGroup","group":{"objectType":"Group",` + twoMembers + `},"relevantTypes":["http://example.com/types/class"]}]}`), ok: true, only: "2"},
		{name: `Data 2.4.6.4 contextGroups not an array`, body: ctx(`{"contextGroups":{"objectType":"contextGroup","group":{"objectType":"Group",` + twoMembers + `}}}`), only: "2"},
		{name: `Data 2.4.6.4 contextGroup without objectType`, body: ctx(`{"contextGroups":[{"group":{"objectType":"Group",` + twoMembers + `}}]}`), only: "2"},
		{name: `Data 2.4.6.4 contextGroup without group`, body: ctx(`{"contextGroups":[{"objectType":"contextGroup"}]}`), only: "2"},
		{name: `Data 2.4.6.4 contextGroup relevantTypes an empty array`, body: ctx(`{"contextGroups":[{"objectType":"contextGroup","group":{"objectType":"Group",` + twoMembers + `},"relevantTypes":[]}]}`), only: "2"},
		{name: `Data 2.4.6.4 contextGroup group without objectType`, body: ctx(`{"contextGroups":[{"objectType":"contextGroup","group":{` + twoMembers + `}}]}`), only: "2"},

		// configs/contextagents.js and contextgroups.js (2.0), top level and
		// in a SubStatement's context.
	}
	caOK := `{"contextAgents":[{"objectType":"contextAgent","agent":{"objectType":"Agent","mbox":"mailto:player-1@example.com"},"relevantTypes":["https://example.com/xapi/american-footbal/activity-types/personnel/player","https://example.com/xapi/american-footbal/activity-types/position/quarterback"]}]}`
	cgOK := `{"contextGroups":[{"objectType":"contextGroup","group":{"objectType":"Group","mbox":"mailto:team-1@example.com","member":[{"objectType":"Agent","mbox":"mailto:player-1@example.com"},{"objectType":"Agent","mbox":"mailto:player-2@example.com"}]},"relevantTypes":["https://example.com/xapi/american-footbal/activity-types/team/a"]},{"objectType":"contextGroup","group":{"objectType":"Group","mbox":"mailto:team-2@example.com","member":[{"objectType":"Agent","mbox":"mailto:player-3@example.com"}]},"relevantTypes":["https://example.com/xapi/american-footbal/activity-types/team/b"]}]}`
	ctx2 := []struct {
		name string
		c    string
		ok   bool
	}{
		{`contextAgents an array of valid contextAgent objects is accepted`, caOK, true},
		{`contextAgent objectType "Should fail"`, `{"contextAgents":[{"objectType":"Should fail","agent":{"objectType":"Agent","mbox":"mailto:player-1@example.com"}}]}`, false},
		{`contextAgent agent invalid`, `{"contextAgents":[{"objectType":"contextAgent","agent":{"key":"Should fail"}}]}`, false},
		{`contextAgent relevantTypes empty`, `{"contextAgents":[{"objectType":"contextAgent","agent":{"objectType":"Agent","mbox":"mailto:player-1@example.com"},"relevantTypes":[]}]}`, false},
		{`contextAgent relevantTypes with a non-IRI`, `{"contextAgents":[{"objectType":"contextAgent","agent":{"objectType":"Agent","mbox":"mailto:player-1@example.com"},"relevantTypes":["abc"]}]}`, false},
		{`contextGroups an array of valid contextGroup objects is accepted`, cgOK, true},
		{`contextGroup objectType "Should fail"`, `{"contextGroups":[{"objectType":"Should fail","group":{"objectType":"Group","mbox":"mailto:team-1@example.com"},"member":[{"objectType":"Agent","mbox":"mailto:player-1@example.com"}]}]}`, false},
		{`contextGroup group invalid`, `{"contextGroups":[{"objectType":"contextGroup","group":{"key":"Should fail"}}]}`, false},
		{`contextGroup relevantTypes empty`, `{"contextGroups":[{"objectType":"contextGroup","group":{"objectType":"Group","mbox":"mailto:player-1@example.com"},"relevantTypes":[]}]}`, false},
		{`contextGroup relevantTypes with a non-IRI`, `{"contextGroups":[{"objectType":"contextGroup","group":{"objectType":"Group","mbox":"mailto:player-1@example.com"},"relevantTypes":["abc"]}]}`, false},
	}
	for _, cc := range ctx2 {
		cases = append(cases,
			adlCase{name: `2.0 Data 2.4.6 statement ` + cc.name, body: ctx(cc.c), ok: cc.ok, only: "2"},
			adlCase{name: `2.0 Data 2.4.6 substatement ` + cc.name, body: sub(`"context":` + cc.c), ok: cc.ok, only: "2"},
		)
	}
	cases = append(cases, []adlCase{
		// Extensions (configs/extensions.js, Data 4.1).
		{name: `Data 4.1 XAPI-00118 extensions with object values are accepted`, body: res(`{"extensions":{"http://example.com/ext":{"a":[1,2,{"b":null}]}}}`), ok: true},
		{name: `Data 4.1 XAPI-00118 extensions an empty object is accepted`, body: ctx(`{"extensions":{}}`), ok: true},
		{name: `Data 4.1 XAPI-00118 activity definition extensions an array`, body: def(`{"extensions":[1]}`)},
		{name: `Data 4.1 XAPI-00118 extension key not an IRI in a substatement context`, body: sub(`"context":{"extensions":{"topic":1}}`)},

		// Attachments (configs/attachments.js, Data 2.4.11).
		{name: `Data 2.4.11 attachment with fileUrl is accepted`, body: att(""), ok: true},
		{name: `Data 2.4.11 XAPI-00104 attachment without usageType`, body: attWith(attDisp + `,` + attCT + `,` + attLen + `,` + attSHA + `,` + attURL)},
		{name: `Data 2.4.11 XAPI-00105 attachment without display`, body: attWith(attUsage + `,` + attCT + `,` + attLen + `,` + attSHA + `,` + attURL)},
		{name: `Data 2.4.11 XAPI-00106 attachment without contentType`, body: attWith(attUsage + `,` + attDisp + `,` + attLen + `,` + attSHA + `,` + attURL)},
		{name: `Data 2.4.11 XAPI-00107 attachment without length`, body: attWith(attUsage + `,` + attDisp + `,` + attCT + `,` + attSHA + `,` + attURL)},
		{name: `Data 2.4.11 XAPI-00108 attachment without sha2`, body: attWith(attUsage + `,` + attDisp + `,` + attCT + `,` + attLen + `,` + attURL)},
		{name: `Data 2.4.11 attachment contentType a number`, body: attWith(attUsage + `,` + attDisp + `,"contentType":1,` + attLen + `,` + attSHA + `,` + attURL)},
		{name: `Data 2.4.11 attachment length a fraction`, body: attWith(attUsage + `,` + attDisp + `,` + attCT + `,"length":2.5,` + attSHA + `,` + attURL)},
		{name: `Data 2.4.11 attachment sha2 a number`, body: attWith(attUsage + `,` + attDisp + `,` + attCT + `,` + attLen + `,"sha2":1,` + attURL)},
		{name: `Data 2.4.11 attachment with an unknown property`, body: attWith(attUsage + `,` + attDisp + `,` + attCT + `,` + attLen + `,` + attSHA + `,` + attURL + `,"size":27`)},
		{name: `Data 2.4.11 attachments not an array`, body: adlStmt("", "", `"attachments":{"usageType":"http://example.com/u"}`)},
		{name: `Data 2.4.11 attachment display not a language map`, body: attWith(attUsage + `,"display":"A test attachment",` + attCT + `,` + attLen + `,` + attSHA + `,` + attURL)},

		{name: `Data 2.4.11 XAPI-00025 attachment element a number`, body: adlStmt("", "", `"attachments":[12345]`)},
		{name: `Data 2.4.11 XAPI-00025 attachment element a string`, body: adlStmt("", "", `"attachments":["should fail"]`)},
		{name: `Data 2.4.11 XAPI-00107 usageType "should fail"`, body: attWith(`"usageType":"should fail",` + attDisp + `,` + attCT + `,` + attLen + `,` + attSHA + `,` + attURL)},
		{name: `Data 2.4.11 XAPI-00105 contentType 999`, body: attWith(attUsage + `,` + attDisp + `,"contentType":999,` + attLen + `,` + attSHA + `,` + attURL)},
		{name: `Data 2.4.11 XAPI-00102 length "should fail"`, body: attWith(attUsage + `,` + attDisp + `,` + attCT + `,"length":"should fail",` + attSHA + `,` + attURL)},
		{name: `Data 2.4.11 XAPI-00104 fileUrl "should fail"`, body: attWith(attUsage + `,` + attDisp + `,` + attCT + `,` + attLen + `,` + attSHA + `,"fileUrl":"should fail"`)},
		{name: `Data 2.4.11 XAPI-00106 display numeric`, body: attWith(attUsage + `,"display":12345,` + attCT + `,` + attLen + `,` + attSHA + `,` + attURL)},
		{name: `Data 2.4.11 XAPI-00106 description numeric`, body: attWith(attUsage + `,` + attDisp + `,"description":12345,` + attCT + `,` + attLen + `,` + attSHA + `,` + attURL)},

		// Version (configs/version.js; Data 2.4.10, 4.2.4.3).
		{name: `Data 2.4.10 XAPI-00099 version 1.0.0 is accepted`, body: adlStmt("", "", `"version":"1.0.0"`), ok: true},
		{name: `Data 2.4.10 XAPI-00099 version 1.0.3 is accepted`, body: adlStmt("", "", `"version":"1.0.3"`), ok: true},
		{name: `Data 2.4.10 XAPI-00099 version 1.0.9 is accepted`, body: adlStmt("", "", `"version":"1.0.9"`), ok: true},
		{name: `Data 2.4.10 XAPI-00101 version 1.0 is accepted`, body: adlStmt("", "", `"version":"1.0"`), ok: true},
		{name: `Data 2.4.10 XAPI-00101 version "should fail"`, body: adlStmt("", "", `"version":"should fail"`)},
		{name: `Data 2.4.10 XAPI-00101 version 0.9.9`, body: adlStmt("", "", `"version":"0.9.9"`)},
		{name: `Data 2.4.10 XAPI-00101 version 1.0.x with a letter`, body: adlStmt("", "", `"version":"1.0.x"`)},
		{name: `Data 2.4.10 XAPI-00099 version 0.9.5`, body: adlStmt("", "", `"version":"0.9.5"`)},
		{name: `Data 2.4.10 XAPI-00099 version 1.1.0`, body: adlStmt("", "", `"version":"1.1.0"`)},
		{name: `Data 2.4.10 XAPI-00099 version a number`, body: adlStmt("", "", `"version":1.0`)},
		{name: `Data 2.4.10 XAPI-00099 version an empty string`, body: adlStmt("", "", `"version":""`)},
		{name: `2.0 4.2.4.3 version 2.0.0 is accepted`, body: adlStmt("", "", `"version":"2.0.0"`), ok: true, only: "2"},
		{name: `2.0 4.2.4.3 version 2.0.0 under 1.0.3`, body: adlStmt("", "", `"version":"2.0.0"`), only: "1"},
		{name: `2.0 4.2.4.3 version 2.1.0`, body: adlStmt("", "", `"version":"2.1.0"`), only: "2"},
		{name: `2.0 4.2.4.3 version 3.0.0`, body: adlStmt("", "", `"version":"3.0.0"`), only: "2"},

		// UUIDs (configs/uuids.js; Data 4.4 XAPI-00027..30).
		{name: `Data 4.4 XAPI-00027 StatementRef "id" UUID with too many digits`, body: ref(`"AA97B177-9383-4934-8543-0F91A7A028368"`)},
		{name: `Data 4.4 XAPI-00027 substatement StatementRef "id" UUID with a non-hex letter`, body: adlStmt("", adlSub("", `{"objectType":"StatementRef","id":"MA97B177-9383-4934-8543-0F91A7A02836"}`, ""), "")},
		{name: `Data 4.4 XAPI-00027 context registration UUID with too many digits`, body: ctx(`{"registration":"AA97B177-9383-4934-8543-0F91A7A028368"}`)},
		{name: `Data 4.4 XAPI-00027 context registration UUID with a non-hex letter`, body: ctx(`{"registration":"MA97B177-9383-4934-8543-0F91A7A02836"}`)},
		{name: `Data 4.4 XAPI-00027 context statement UUID with too many digits`, body: ctx(`{"statement":{"objectType":"StatementRef","id":"AA97B177-9383-4934-8543-0F91A7A028368"}}`)},
		{name: `Data 4.4 XAPI-00027 substatement context statement UUID with a non-hex letter`, body: sub(`"context":{"statement":{"objectType":"StatementRef","id":"MA97B177-9383-4934-8543-0F91A7A02836"}}`)},
		{name: `Data 4.4 XAPI-00028 StatementRef "id" an object`, body: ref(`{"key":"should fail"}`)},
		{name: `Data 4.4 XAPI-00028 context registration an object`, body: ctx(`{"registration":{"key":"should fail"}}`)},
		{name: `Data 4.4 XAPI-00028 context statement id numeric`, body: ctx(`{"statement":{"objectType":"StatementRef","id":12345}}`)},
		{name: `Data 4.4 XAPI-00028 substatement context statement id an object`, body: sub(`"context":{"statement":{"objectType":"StatementRef","id":{"key":"should fail"}}}`)},
		{name: `Data 4.4 UUID without hyphens`, body: adlStmt("", "", `"id":"fd41c918b88b4b20a0a5a4c32391aaa0"`)},
		{name: `Data 4.4 UUID in braces`, body: adlStmt("", "", `"id":"{fd41c918-b88b-4b20-a0a5-a4c32391aaa0}"`)},

		// Timestamp property (configs/timestamp_property.js; Data 2.4.7 XAPI-00022).
		{name: `Data 2.4.7 XAPI-00022 timestamp an invalid string`, body: ts("should fail")},
		{name: `Data 2.4.7 XAPI-00022 timestamp in the future is accepted`, body: ts("2099-05-18T05:32:34.804Z"), ok: true},
		{name: `Data 2.4.7 XAPI-00022 substatement timestamp an invalid string`, body: sub(`"timestamp":"should fail"`)},
		{name: `Data 2.4.7 XAPI-00022 substatement timestamp an invalid date`, body: sub(`"timestamp":"01/011/2015"`)},
		{name: `Data 2.4.7 XAPI-00022 substatement timestamp in the future is accepted`, body: sub(`"timestamp":"2099-05-18T05:32:34.804Z"`), ok: true},

		// interactionType required by the interaction properties
		// (4.2.2.3-Object-Requirements.js, Data 2.4.4.1.s8 XAPI-00064).
		{name: `Data 2.4.4.1.s8 XAPI-00064 correctResponsesPattern without interactionType`, body: def(`{"correctResponsesPattern":["(35.937432,-86.868896)"]}`)},
		{name: `Data 2.4.4.1.s8 XAPI-00064 choices without interactionType`, body: def(`{"correctResponsesPattern":["golf"],"choices":[{"id":"golf","description":{"en-US":"Golf"}}]}`)},
		{name: `Data 2.4.4.1.s8 XAPI-00064 scale without interactionType`, body: def(`{"scale":[{"id":"likert_0","description":{"en-US":"OK"}}]}`)},
		{name: `Data 2.4.4.1.s8 XAPI-00064 source without interactionType`, body: def(`{"source":[{"id":"ben","description":{"en-US":"Ben"}}]}`)},
		{name: `Data 2.4.4.1.s8 XAPI-00064 target without interactionType`, body: def(`{"target":[{"id":"2","description":{"en-US":"Swim"}}]}`)},
		{name: `Data 2.4.4.1.s8 XAPI-00064 steps without interactionType`, body: def(`{"steps":[{"id":"pong","description":{"en-US":"Net pong"}}]}`)},
		{name: `Data 2.4.4.2 XAPI-00065 group as object without objectType`, body: adlStmt("", `{"name":"g",`+twoMembers+`}`, "")},
		{name: `Data 2.4.4.2 XAPI-00065 substatement group as object without objectType`, body: adlStmt("", adlSub("", `{"name":"g",`+twoMembers+`}`, ""), "")},

		// Extension values (E.Data4.0 XAPI-00119): null, "", {} and an empty map.
		{name: `Data 4.1 XAPI-00119 activity extension value an empty string is accepted`, body: def(`{"extensions":{"http://example.com/ex":""}}`), ok: true},
		{name: `Data 4.1 XAPI-00119 activity extension value an empty object is accepted`, body: def(`{"extensions":{"http://example.com/ex":{}}}`), ok: true},
		{name: `Data 4.1 XAPI-00119 activity extensions an empty object is accepted`, body: def(`{"extensions":{}}`), ok: true},
		{name: `Data 4.1 XAPI-00119 result extension value an empty string is accepted`, body: res(`{"extensions":{"http://example.com/ex":""}}`), ok: true},
		{name: `Data 4.1 XAPI-00119 result extension value an empty object is accepted`, body: res(`{"extensions":{"http://example.com/ex":{}}}`), ok: true},
		{name: `Data 4.1 XAPI-00119 result extensions an empty object is accepted`, body: res(`{"extensions":{}}`), ok: true},
		{name: `Data 4.1 XAPI-00119 context extension value an empty string is accepted`, body: ctx(`{"extensions":{"http://example.com/ex":""}}`), ok: true},
		{name: `Data 4.1 XAPI-00119 context extension value an empty object is accepted`, body: ctx(`{"extensions":{"http://example.com/ex":{}}}`), ok: true},
		{name: `Data 4.1 XAPI-00119 substatement result extension value an empty object is accepted`, body: sub(`"result":{"extensions":{"http://example.com/ex":{}}}`), ok: true},
		{name: `Data 4.1 XAPI-00119 substatement context extension value an empty string is accepted`, body: sub(`"context":{"extensions":{"http://example.com/ex":""}}`), ok: true},
		{name: `Data 4.1 XAPI-00119 substatement activity extensions an empty object is accepted`, body: adlStmt("", adlSub("", `{"id":"http://www.example.com/a","definition":{"extensions":{}}}`, ""), ""), ok: true},

		// Authorities (configs/authorities.js; Data 2.4.9).
		{name: `Data 2.4.9 XAPI-00098 authority an Agent is accepted`, body: adlStmt("", "", `"authority":`+adlAgent), ok: true},
		{name: `Data 2.4.9 authority a Group of three agents`, body: adlStmt("", "", `"authority":{"objectType":"Group","member":[{"mbox":"mailto:a@example.com"},{"mbox":"mailto:b@example.com"},{"mbox":"mailto:c@example.com"}]}`)},
		{name: `Data 2.4.9 authority a Group of one agent`, body: adlStmt("", "", `"authority":{"objectType":"Group","member":[{"mbox":"mailto:a@example.com"}]}`)},
		{name: `Data 2.4.9 XAPI-00024 authority anonymous two-member group plus "mbox"`, body: adlStmt("", "", `"authority":{"objectType":"Group",`+twoMembers+`,"mbox":"mailto:bob@example.com"}`)},
		{name: `Data 2.4.9 XAPI-00024 authority anonymous two-member group plus "mbox_sha1sum"`, body: adlStmt("", "", `"authority":{"objectType":"Group",`+twoMembers+`,`+ifiSHA1+`}`)},
		{name: `Data 2.4.9 XAPI-00024 authority anonymous two-member group plus "openid"`, body: adlStmt("", "", `"authority":{"objectType":"Group",`+twoMembers+`,`+ifiOpenID+`}`)},
		{name: `Data 2.4.9 XAPI-00024 authority anonymous two-member group plus "account"`, body: adlStmt("", "", `"authority":{"objectType":"Group",`+twoMembers+`,`+ifiAccount+`}`)},
		{name: `Data 2.4.9 XAPI-00098 authority identified group (openid) without members`, body: adlStmt("", "", `"authority":`+groupWith(ifiOpenID))},
		{name: `Data 2.4.9 XAPI-00098 authority anonymous group without members`, body: adlStmt("", "", `"authority":{"objectType":"Group"}`)},
		{name: `Data 2.4.9 XAPI-00098 authority three members (OAuth consumer and two users)`, body: adlStmt("", "", `"authority":{"objectType":"Group","member":[{"account":{"homePage":"http://example.com/xAPI/OAuth/Token","name":"oauth_consumer_x75db"}},{"mbox":"mailto:bob@example.com"},{"mbox":"mailto:james@example.com"}]}`)},
		{name: `Data 2.4.9 XAPI-00098 authority OAuth pair is accepted`, body: adlStmt("", "", `"authority":{"objectType":"Group","member":[{"account":{"homePage":"http://example.com/xAPI/OAuth/Token","name":"oauth_consumer_x75db"}},{"mbox":"mailto:bob@example.com"}]}`), ok: true},
		{name: `Data 2.4.9 authority not an object`, body: adlStmt("", "", `"authority":"mailto:a@example.com"`)},
	}...)
	// configs/contexts.js: each context property's type, top level and in
	// a SubStatement (Data 2.4.6, XAPI-00084..00092).
	ctxTypes := []struct{ name, c string }{
		{`"registration" an object (XAPI-00087-1)`, `{"registration":{"key":"should fail"}}`},
		{`"registration" a string (XAPI-00087-1)`, `{"registration":"should fail"}`},
		{`"instructor" an object (XAPI-00087-2)`, `{"instructor":{"key":"should fail"}}`},
		{`"instructor" a string (XAPI-00087-2)`, `{"instructor":"should fail"}`},
		{`"team" an Agent (XAPI-00088)`, `{"team":` + adlAgent + `}`},
		{`"team" an object (XAPI-00088)`, `{"team":{"key":"should fail"}}`},
		{`"team" a string (XAPI-00088)`, `{"team":"should fail"}`},
		{`"contextActivities" a string (XAPI-00086)`, `{"contextActivities":"should fail"}`},
		{`"revision" numeric (XAPI-00089)`, `{"revision":12345}`},
		{`"revision" an object (XAPI-00089)`, `{"revision":{"key":"should fail"}}`},
		{`"platform" numeric (XAPI-00090)`, `{"platform":12345}`},
		{`"platform" an object (XAPI-00090)`, `{"platform":{"key":"should fail"}}`},
		{`"language" numeric (XAPI-00091)`, `{"language":12345}`},
		{`"language" an object (XAPI-00091)`, `{"language":{"key":"should fail"}}`},
		{`"language" a language map (XAPI-00091)`, `{"language":{"a12345":"should fail"}}`},
		{`"statement" objectType "statementref" without id (XAPI-00092)`, `{"statement":{"objectType":"statementref"}}`},
		{`"statement" id not a UUID (XAPI-00092)`, `{"statement":{"id":"should fail"}}`},
	}
	for _, ct := range ctxTypes {
		cases = append(cases,
			adlCase{name: `Data 2.4.6 statement context ` + ct.name, body: ctx(ct.c)},
			adlCase{name: `Data 2.4.6 substatement context ` + ct.name, body: sub(`"context":` + ct.c)},
		)
	}
	objs := []struct{ name, o string }{
		{"an Agent", adlAgent},
		{"a Group", `{"objectType":"Group",` + twoMembers + `}`},
		{"a StatementRef", `{"objectType":"StatementRef","id":` + uuidOK + `}`},
	}
	for _, key := range []string{"revision", "platform"} {
		c := `"context":{"` + key + `":"x","registration":"ec531277-b57b-4c15-8d91-d292c5b2b8f7"}`
		for _, o := range objs {
			cases = append(cases,
				adlCase{name: `Data 2.4.6.s4 XAPI-00084/85 "` + key + `" with object ` + o.name, body: adlStmt("", o.o, c)},
				adlCase{name: `Data 2.4.6.s4 XAPI-00084/85 substatement "` + key + `" with object ` + o.name, body: adlStmt("", adlSub("", o.o, c), "")},
			)
		}
		cases = append(cases,
			adlCase{name: `Data 2.4.6.s4 XAPI-00084/85 "` + key + `" with a SubStatement object`, body: adlStmt("", adlSub("", "", ""), c)},
			adlCase{name: `Data 2.4.6.s4 XAPI-00084/85 "` + key + `" with an object without objectType is accepted`, body: adlStmt("", `{"id":"http://www.example.com/meetings/occurrences/34534"}`, c), ok: true},
			adlCase{name: `Data 2.4.6.s4 XAPI-00084/85 substatement "` + key + `" with an object without objectType is accepted`, body: adlStmt("", adlSub("", `{"id":"http://www.example.com/meetings/occurrences/34534"}`, c), ""), ok: true},
		)
	}
	// configs/results.js, scores.js, verbs.js: result, score and verb
	// types, top level and in a SubStatement (Data 2.4.5, 2.4.3).
	results := []struct {
		name, r string
		ok      bool
	}{
		{`"success" the string "true" (XAPI-00074)`, `{"success":"true"}`, false},
		{`"success" the string "false" (XAPI-00074)`, `{"success":"false"}`, false},
		{`"completion" the string "true" (XAPI-00075)`, `{"completion":"true"}`, false},
		{`"completion" the string "false" (XAPI-00075)`, `{"completion":"false"}`, false},
		{`"response" numeric (XAPI-00076)`, `{"response":12345}`, false},
		{`"response" an object (XAPI-00076)`, `{"response":{"key":"invalid"}}`, false},
		{`"duration" PA1H0M0S (XAPI-00077)`, `{"duration":"PA1H0M0S"}`, false},
		{`"duration" PT1H0M0.1S is accepted (XAPI-00077)`, `{"duration":"PT1H0M0.1S"}`, true},
		{`"extensions" numeric (XAPI-00078)`, `{"extensions":12345}`, false},
		{`"extensions" a string (XAPI-00078)`, `{"extensions":"should fail"}`, false},
		{`"score" numeric (XAPI-00079)`, `{"score":12345}`, false},
		{`"score" a string (XAPI-00079)`, `{"score":"should fail"}`, false},
		{`"scaled" 0.6767676 is accepted (XAPI-00083)`, `{"score":{"scaled":0.6767676}}`, true},
		{`"scaled" 1.0 is accepted (XAPI-00083)`, `{"score":{"scaled":1.0}}`, true},
		{`"scaled" -1.0000 is accepted (XAPI-00083)`, `{"score":{"scaled":-1.0000}}`, true},
		{`"scaled" 1.01 (XAPI-00083)`, `{"score":{"scaled":1.01}}`, false},
		{`"scaled" -1.00001 (XAPI-00083)`, `{"score":{"scaled":-1.00001}}`, false},
		{`"raw" 0.6767676 is accepted (XAPI-00082)`, `{"score":{"raw":0.6767676}}`, true},
		{`"raw" greater than max (XAPI-00082)`, `{"score":{"raw":0.6767676,"max":0.6567676}}`, false},
		{`"raw" less than min (XAPI-00082)`, `{"score":{"raw":0.6767676,"min":1.4067676}}`, false},
		{`"min" 0.6767676 is accepted (XAPI-00081)`, `{"score":{"min":0.6767676}}`, true},
		{`"min" greater than max (XAPI-00081)`, `{"score":{"min":0.6767676,"max":0.6767355,"raw":0.6767643}}`, false},
		{`"max" 100.6767676 is accepted (XAPI-00080)`, `{"score":{"max":100.6767676}}`, true},
		{`"max" less than min (XAPI-00080)`, `{"score":{"max":100.6767676,"min":104.6767676,"raw":101.6767676}}`, false},
		{`"scaled" in exponent notation is accepted`, `{"score":{"scaled":5e-1}}`, true},
	}
	for _, r := range results {
		cases = append(cases,
			adlCase{name: `Data 2.4.5 statement result ` + r.name, body: res(r.r), ok: r.ok},
			adlCase{name: `Data 2.4.5 substatement result ` + r.name, body: sub(`"result":` + r.r), ok: r.ok},
		)
	}
	verbs := []struct{ name, v string }{
		{`missing "id" (XAPI-00044)`, `{"display":{"en-US":"attended"}}`},
		{`"id" not an IRI (XAPI-00044)`, `{"id":"ab=c://should.fail.com","display":{"en-US":"attended"}}`},
		{`"display" numeric (XAPI-00045)`, `{"id":"http://adlnet.gov/expapi/verbs/attended","display":12345}`},
		{`"display" a string (XAPI-00045)`, `{"id":"http://adlnet.gov/expapi/verbs/attended","display":"a12345 attended"}`},
	}
	for _, vb := range verbs {
		cases = append(cases,
			adlCase{name: `Data 2.4.3 statement verb ` + vb.name, body: verb(vb.v)},
			adlCase{name: `Data 2.4.3 substatement verb ` + vb.name, body: adlStmt("", `{"objectType":"SubStatement","actor":`+adlAgent+`,"verb":`+vb.v+`,"object":`+adlActivity+`}`, "")},
		)
	}
	cases = append(cases, adlCase{name: `Data 2.4.3 substatement verb a string (XAPI-00044)`, body: adlStmt("", `{"objectType":"SubStatement","actor":`+adlAgent+`,"verb":"ab=c://should.fail.com","object":`+adlActivity+`}`, "")})
	// configs/activities.js (1.0.3 and 2.0): activity and definition
	// types, top level and as a SubStatement's object (Data 2.4.4.1).
	defs := []struct {
		name, a string
		ok      bool
	}{
		{`"id" missing (XAPI-00047)`, `{"objectType":"Activity","definition":{"type":"http://adlnet.gov/expapi/activities/meeting"}}`, false},
		{`"id" not an IRI (XAPI-00047)`, `{"objectType":"Activity","id":"ab=c://should.fail.com"}`, false},
		{`"definition" a string (XAPI-00048)`, `{"id":"http://www.example.com/a","definition":"should error"}`, false},
		{`"definition" numeric (XAPI-00056)`, `{"id":"http://www.example.com/a","definition":12345}`, false},
		{`"name" numeric (XAPI-00056)`, `{"id":"http://www.example.com/a","definition":{"name":12345}}`, false},
		{`"description" numeric (XAPI-00059)`, `{"id":"http://www.example.com/a","definition":{"description":12345}}`, false},
		{`"type" not an IRI (XAPI-00060)`, `{"id":"http://www.example.com/a","definition":{"type":"should error"}}`, false},
		{`"moreInfo" not an IRL (XAPI-00061)`, `{"id":"http://www.example.com/a","definition":{"moreInfo":"should error"}}`, false},
		{`"interactionType" an IRI (XAPI-00049)`, `{"id":"http://www.example.com/a","definition":{"interactionType":"http://adlnet.gov/expapi/activities/cmi.interaction"}}`, false},
		{`"interactionType" numeric (XAPI-00049)`, `{"id":"http://www.example.com/a","definition":{"interactionType":12345}}`, false},
		{`"interactionType" an object (XAPI-00049)`, `{"id":"http://www.example.com/a","definition":{"interactionType":{"something":"value"}}}`, false},
		{`"interactionType" "should error" (XAPI-00049)`, `{"id":"http://www.example.com/a","definition":{"interactionType":"should error"}}`, false},
		{`"extensions" a string (XAPI-00057)`, `{"id":"http://www.example.com/a","definition":{"extensions":"should error"}}`, false},
		{`"extensions" with non-IRI keys (XAPI-00057)`, `{"id":"http://www.example.com/a","definition":{"extensions":{"id":"valid","description":{"en-US":"valid"}}}}`, false},
		{`"correctResponsesPattern" an object (XAPI-00054)`, `{"id":"http://www.example.com/a","definition":{"interactionType":"choice","correctResponsesPattern":{"a":"b"}}}`, false},
		{`"choices" not an array (XAPI-00050)`, `{"id":"http://www.example.com/a","definition":{"interactionType":"choice","choices":{"id":"a"}}}`, false},
		{`without objectType is accepted (Data 2.4.4.s2)`, `{"id":"http://www.example.com/meetings/occurrences/34534"}`, true},
	}
	for _, d := range defs {
		cases = append(cases,
			adlCase{name: `Data 2.4.4.1 statement activity ` + d.name, body: adlStmt("", d.a, ""), ok: d.ok},
			adlCase{name: `Data 2.4.4.1 substatement activity ` + d.name, body: adlStmt("", adlSub("", d.a, ""), ""), ok: d.ok},
		)
	}
	for _, it := range []string{"true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing", "likert", "numeric", "other"} {
		cases = append(cases, adlCase{
			name: `Data 2.4.4.1 XAPI-00049 substatement interactionType "` + it + `" is accepted`,
			body: adlStmt("", adlSub("", `{"id":"http://www.example.com/a","definition":{"type":"http://adlnet.gov/expapi/activities/cmi.interaction","interactionType":"`+it+`"}}`, ""), ""), ok: true,
		})
	}
	// configs/contextactivities.js (Data 2.4.6.2, XAPI-00093/94), top
	// level and in a SubStatement's context.
	const act = `{"objectType":"Activity","id":"http://www.example.com/meetings/occurrences/34534"}`
	cas := []struct {
		name, c string
		ok      bool
	}{
		{`"parent" an activity array is accepted`, `{"parent":[` + act + `]}`, true},
		{`"grouping" an activity array is accepted`, `{"grouping":[` + act + `]}`, true},
		{`"category" an activity array is accepted`, `{"category":[` + act + `]}`, true},
		{`"other" an activity array is accepted`, `{"other":[` + act + `]}`, true},
		{`all four keys are accepted`, `{"parent":[` + act + `],"grouping":[` + act + `],"category":[` + act + `],"other":[` + act + `]}`, true},
		{`key "invalid"`, `{"invalid":[` + act + `]}`, false},
		{`"other" holding a non-activity after an activity`, `{"other":[` + act + `,{"key":"should fail"}]}`, false},
		{`"other" holding a non-activity before an activity`, `{"other":[{"key":"should fail"},` + act + `]}`, false},
		{`"parent" a single object without id`, `{"parent":{"key":"should fail"}}`, false},
	}
	for _, ca := range cas {
		cases = append(cases,
			adlCase{name: `Data 2.4.6.2 statement contextActivities ` + ca.name, body: ctx(`{"contextActivities":` + ca.c + `}`), ok: ca.ok},
			adlCase{name: `Data 2.4.6.2 substatement contextActivities ` + ca.name, body: sub(`"context":{"contextActivities":` + ca.c + `}`), ok: ca.ok},
		)
	}
	// configs/extensions.js (Data 4.1, XAPI-00118..00120): any value, a
	// non-IRI key refused, in every extensions property.
	extPlaces := []struct {
		name string
		wrap func(ext string) string
	}{
		{"activity definition", func(e string) string { return def(`{` + e + `}`) }},
		{"result", func(e string) string { return res(`{` + e + `}`) }},
		{"context", func(e string) string { return ctx(`{` + e + `}`) }},
		{"substatement activity definition", func(e string) string {
			return adlStmt("", adlSub("", `{"id":"http://www.example.com/a","definition":{`+e+`}}`, ""), "")
		}},
		{"substatement result", func(e string) string { return sub(`"result":{` + e + `}`) }},
		{"substatement context", func(e string) string { return sub(`"context":{` + e + `}`) }},
	}
	extValues := []struct {
		name, e string
		ok      bool
	}{
		{"a boolean value is accepted", `"extensions":{"http://example.com/ex":true}`, true},
		{"a numeric value is accepted", `"extensions":{"http://example.com/ex":12345}`, true},
		{"an object value is accepted", `"extensions":{"http://example.com/ex":{"key":"valid"}}`, true},
		{"a string value is accepted", `"extensions":{"http://example.com/ex":"valid"}`, true},
		{"a null value is accepted", `"extensions":{"http://example.com/ex":null}`, true},
		{"an empty string value is accepted", `"extensions":{"http://example.com/ex":""}`, true},
		{"an empty object value is accepted", `"extensions":{"http://example.com/ex":{}}`, true},
		{"an empty map is accepted", `"extensions":{}`, true},
		{"key \"should fail\"", `"extensions":{"should fail":true}`, false},
	}
	for _, pl := range extPlaces {
		for _, ev := range extValues {
			cases = append(cases, adlCase{name: `Data 4.1 XAPI-00118..120 ` + pl.name + ` extensions: ` + ev.name, body: pl.wrap(ev.e), ok: ev.ok})
		}
	}
	// configs/statementrefs.js (Data 2.4.4.3, XAPI-00072/73).
	for _, r := range []struct{ name, o string }{
		{`objectType "statementref"`, `{"objectType":"statementref","id":` + uuidOK + `}`},
		{`"id" missing`, `{"objectType":"StatementRef"}`},
		{`"id" "should fail"`, `{"objectType":"StatementRef","id":"should fail"}`},
	} {
		cases = append(cases,
			adlCase{name: `Data 2.4.4.3 statement StatementRef ` + r.name, body: adlStmt("", r.o, "")},
			adlCase{name: `Data 2.4.4.3 substatement StatementRef ` + r.name, body: adlStmt("", adlSub("", r.o, ""), "")},
		)
	}
	return append(actorCases(), cases...)
}

// testADLData posts every mirrored ADL Data check and compares the status.
func testADLData(t *testing.T, c client) {
	v := "1"
	if c.v2() {
		v = "2"
	}
	for _, tc := range adlDataCases() {
		if tc.only != "" && tc.only != v {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			body := strings.ReplaceAll(tc.body, "%UPPERID%", strings.ToUpper(uuid.NewString()))
			res, b := c.with(t).postStatements(body)
			want := http.StatusBadRequest
			if tc.ok {
				want = http.StatusOK
			}
			assert.Equal(t, want, res.StatusCode, "body: %s\nanswer: %s", body, b)
		})
	}
}

// getStatement fetches one statement by id (or voidedStatementId when
// voided is true) and returns the status and decoded statement.
func (c client) getStatement(id string, voided bool) (int, map[string]any) {
	c.t.Helper()
	key := "statementId"
	if voided {
		key = "voidedStatementId"
	}
	res, body := c.getStatements(url.Values{key: {id}})
	if res.StatusCode != http.StatusOK {
		return res.StatusCode, nil
	}
	return res.StatusCode, decode[map[string]any](c.t, body)
}

func (c client) putStatement(id, body string) (*response, []byte) {
	c.t.Helper()
	return c.do(http.MethodPut, "/xapi/statements", url.Values{"statementId": {id}}, []byte(body))
}

// testADLDataLifecycle mirrors the ADL Data checks that look at what the
// LRS stores and returns, not only at the status of a POST.
func testADLDataLifecycle(t *testing.T, c client) {
	t.Run("Data 2.2.s4.b3 XAPI-00002 numbers keep at least IEEE 754 single precision", func(t *testing.T) {
		id := c.with(t).postID(adlStmt("", "", `"result":{"score":{"min":0.12123434,"raw":12.125,"max":45.45,"scaled":0.12123434}}`))
		code, st := c.with(t).getStatement(id, false)
		require.Equal(t, http.StatusOK, code)
		score := st["result"].(map[string]any)["score"].(map[string]any)
		assert.InDelta(t, 0.12123434, score["min"], 0)
		assert.InDelta(t, 12.125, score["raw"], 0)
		assert.InDelta(t, 45.45, score["max"], 0)
		assert.InDelta(t, 0.12123434, score["scaled"], 0)
	})
	t.Run("Data 2.4.1.s2.b1 XAPI-00026 the LRS generates the id when none is given", func(t *testing.T) {
		id := c.with(t).postID(adlStmt("", "", ""))
		code, st := c.with(t).getStatement(id, false)
		require.Equal(t, http.StatusOK, code)
		assert.Equal(t, id, st["id"])
	})
	for _, method := range []string{http.MethodPost, http.MethodPut} {
		t.Run("Data 2.4.8.s3.b2 XAPI-00097 a client-supplied stored is accepted and replaced ("+method+")", func(t *testing.T) {
			const clientStored = "2011-07-15T00:00:00.000Z"
			body := adlStmt("", "", `"stored":"`+clientStored+`"`)
			id := uuid.NewString()
			if method == http.MethodPut {
				res, b := c.with(t).putStatement(id, body)
				require.Equal(t, http.StatusNoContent, res.StatusCode, "%s", b)
			} else {
				id = c.with(t).postID(body)
			}
			code, st := c.with(t).getStatement(id, false)
			require.Equal(t, http.StatusOK, code)
			require.Contains(t, st, "stored")
			assert.NotEqual(t, clientStored, st["stored"])
		})
	}
	t.Run("Data 2.4.8.s2 XAPI-00023 stored is a timestamp with milliseconds", func(t *testing.T) {
		id := c.with(t).postID(adlStmt("", "", ""))
		_, st := c.with(t).getStatement(id, false)
		stored, _ := st["stored"].(string)
		_, err := time.Parse(time.RFC3339Nano, stored)
		require.NoError(t, err, "stored %q", stored)
		// At least millisecond precision (Data 2.4.8): three or more
		// fractional digits.
		dot := strings.LastIndexByte(stored, '.')
		require.Positive(t, dot, "stored %q has fractional seconds", stored)
		assert.GreaterOrEqual(t, len(strings.TrimRight(stored[dot+1:], "Z")), 3, "stored %q", stored)
	})
	t.Run("Data 2.4.10 XAPI-00332 a statement keeps the version it was accepted with", func(t *testing.T) {
		want := "1.0.3"
		if c.v2() {
			want = "2.0.0"
		}
		id := c.with(t).postID(adlStmt("", "", `"version":"`+want+`"`))
		_, st := c.with(t).getStatement(id, false)
		assert.Equal(t, want, st["version"])
	})
	t.Run("Data 2.4.7 a timestamp with an offset is returned as the same instant", func(t *testing.T) {
		id := c.with(t).postID(adlStmt("", "", `"timestamp":"2013-05-18T05:32:34.804+05:30"`))
		_, st := c.with(t).getStatement(id, false)
		got, err := time.Parse(time.RFC3339Nano, st["timestamp"].(string))
		require.NoError(t, err)
		assert.True(t, got.Equal(time.Date(2013, 5, 18, 0, 2, 34, 804e6, time.UTC)), "timestamp %v", got)
	})
	for _, typ := range []string{"parent", "grouping", "category", "other"} {
		t.Run("Data 2.4.6.2.s4.b3 XAPI-00096 a single "+typ+" contextActivity comes back in an array", func(t *testing.T) {
			one := `"context":{"contextActivities":{"` + typ + `":{"id":"http://www.example.com/` + typ + `"}}}`
			for _, body := range []string{adlStmt("", "", one), adlStmt("", adlSub("", "", one), "")} {
				id := c.with(t).postID(body)
				_, st := c.with(t).getStatement(id, false)
				holder := st
				if o, ok := st["object"].(map[string]any); ok && o["objectType"] == "SubStatement" {
					holder = o
				}
				ca := holder["context"].(map[string]any)["contextActivities"].(map[string]any)
				assert.IsType(t, []any{}, ca[typ], "body %s", body)
			}
		})
	}
	t.Run("Data 2.3.2.s2.b3 XAPI-00018 a voided statement is found only by voidedStatementId", func(t *testing.T) {
		voided := c.with(t).postID(adlStmt("", "", ""))
		c.with(t).postID(voidingStmt(voided))
		code, st := c.with(t).getStatement(voided, true)
		require.Equal(t, http.StatusOK, code)
		assert.Equal(t, voided, st["id"])
		code, _ = c.with(t).getStatement(voided, false)
		assert.Equal(t, http.StatusNotFound, code)
	})
	t.Run("Data 2.3.2.s2.b7 XAPI-00016 voiding a voiding statement does not void it", func(t *testing.T) {
		voided := c.with(t).postID(adlStmt("", "", ""))
		voiding := c.with(t).postID(voidingStmt(voided))
		// The LRS may refuse the second voiding statement or accept and
		// ignore it; either way the first voiding statement stays visible.
		res, _ := c.with(t).postStatements(voidingStmt(voiding))
		assert.Contains(t, []int{http.StatusOK, http.StatusBadRequest}, res.StatusCode)
		code, _ := c.with(t).getStatement(voiding, false)
		assert.Equal(t, http.StatusOK, code)
		// Voiding an already voided statement again leaves it voided.
		res, _ = c.with(t).postStatements(voidingStmt(voided))
		assert.Contains(t, []int{http.StatusOK, http.StatusBadRequest}, res.StatusCode)
		code, _ = c.with(t).getStatement(voided, true)
		assert.Equal(t, http.StatusOK, code)
	})
	for _, q := range []url.Values{
		{"statementId": {"wrong"}},
		{"voidedStatementId": {"wrong"}},
		{"agent": {"wrong"}},
		{"verb": {"not.a.valid.iri.com/verb"}},
		{"activity": {"not.a.valid.iri.com/activity"}},
		{"registration": {"wrong"}},
	} {
		t.Run("Data 2.2.s4.b4 XAPI-00012 query parameter "+q.Encode()+" is refused like a statement value", func(t *testing.T) {
			res, body := c.with(t).getStatements(q)
			assert.Equal(t, http.StatusBadRequest, res.StatusCode, "%s", body)
		})
	}
	t.Run("Data 2.2.s4.b1.b8 XAPI-00011 PUT of a statement with a verb id without a scheme is refused", func(t *testing.T) {
		id := uuid.NewString()
		res, body := c.with(t).putStatement(id, `{"id":"`+id+`","actor":`+adlAgent+`,"verb":{"id":"adlnet.gov/expapi/verbs/attended"},"object":`+adlActivity+`}`)
		assert.Equal(t, http.StatusBadRequest, res.StatusCode, "%s", body)
		code, _ := c.with(t).getStatement(id, false)
		assert.Equal(t, http.StatusNotFound, code, "nothing was stored")
	})
	t.Run("Data 4.1 XAPI-00119 PUT with empty extension values is a 204", func(t *testing.T) {
		id := uuid.NewString()
		res, body := c.with(t).putStatement(id, adlStmt("", "", `"result":{"extensions":{"http://example.com/ex":{},"http://example.com/ex2":"","http://example.com/ex3":null}}`))
		assert.Equal(t, http.StatusNoContent, res.StatusCode, "%s", body)
	})
	t.Run("4.2.7 IRIs are compared as strings or after syntax-based normalization", func(t *testing.T) {
		slug := uuid.NewString()
		iriA := "http://example.com/path/" + slug
		iriB := "http://example.com/path/../" + slug
		c.with(t).postID(adlStmt("", `{"objectType":"Activity","id":"`+iriB+`"}`, ""))
		match := false
		for _, iri := range []string{iriA, iriB} {
			res, body := c.with(t).do(http.MethodGet, "/xapi/activities", url.Values{"activityId": {iri}}, nil)
			require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
			match = match || decode[map[string]any](t, body)["id"] == iri
		}
		assert.True(t, match)
	})
}

// voidingStmt is a statement voiding the statement with id target.
func voidingStmt(target string) string {
	return `{"actor":` + adlAgent + `,"verb":{"id":"` + "http://adlnet.gov/expapi/verbs/voided" + `","display":{"en-US":"voided"}},"object":{"objectType":"StatementRef","id":"` + target + `"}}`
}
