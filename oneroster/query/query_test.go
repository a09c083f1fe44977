package query

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseFilter(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   string
		want [][]Clause
		err  string
	}{
		{"eq", "role='student'", [][]Clause{{{"role", Eq, "student"}}}, ""},
		{"every op", "a!='1' AND b>'2' AND c>='3' AND d<'4' AND e<='5' AND f~'6'", [][]Clause{{{"a", Ne, "1"}, {"b", Gt, "2"}, {"c", Ge, "3"}, {"d", Lt, "4"}, {"e", Le, "5"}, {"f", Contains, "6"}}}, ""},
		{"or", "role='student' OR role='teacher'", [][]Clause{{{"role", Eq, "student"}}, {{"role", Eq, "teacher"}}}, ""},
		{"and binds tighter", "a='1' OR b='2' AND c='3'", [][]Clause{{{"a", Eq, "1"}}, {{"b", Eq, "2"}, {"c", Eq, "3"}}}, ""},
		{"nested field", "school.sourcedId='s 1'", [][]Clause{{{"school.sourcedId", Eq, "s 1"}}}, ""},
		{"spaces around op", "givenName = 'Colin Robert'", [][]Clause{{{"givenName", Eq, "Colin Robert"}}}, ""},
		{"quote inside", "familyName='O''Brien'", [][]Clause{{{"familyName", Eq, "O'Brien"}}}, ""},
		{"unicode", "givenName='أمينة'", [][]Clause{{{"givenName", Eq, "أمينة"}}}, ""},
		{"AND inside value", "title='Rock AND Roll'", [][]Clause{{{"title", Eq, "Rock AND Roll"}}}, ""},
		{"unquoted", "role=student", nil, "single quotes"},
		{"unterminated", "role='student", nil, "unterminated"},
		{"no op", "role 'x'", nil, "expected an operator"},
		{"lowercase and", "a='1' and b='2'", nil, "expected AND or OR"},
		{"empty", "", nil, "expected a field name"},
		{"trailing and", "a='1' AND ", nil, "expected a field name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, err := ParseFilter(tc.in)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				var qe *Error
				require.ErrorAs(t, err, &qe)
				assert.Equal(t, CodeInvalidFilter, qe.Code)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, f.Any)
		})
	}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	obj := map[string]any{
		"sourcedId": "u1", "givenName": "Amina", "role": "student", "enabledUser": true,
		"dateLastModified": "2024-02-01T10:00:00.000Z", "birthDate": "2015-03-02",
		"orgs":   []any{map[string]any{"sourcedId": "s1", "type": "org"}, map[string]any{"sourcedId": "s2"}},
		"grades": []any{"04", "05"}, "score": float64(9.5),
	}
	cases := []struct {
		filter string
		want   bool
	}{
		{"givenName='Amina'", true},
		{"givenName!='Amina'", false},
		{"givenName~'min'", true},
		{"givenName~'MIN'", true},
		{"dateLastModified>'2024-01-31'", true},
		{"dateLastModified>'2024-02-01T10:00:00Z'", false},
		{"dateLastModified>='2024-02-01T10:00:00Z'", true},
		{"dateLastModified<'2024-02-02'", true},
		{"birthDate<='2015-03-02'", true},
		{"orgs.sourcedId='s2'", true},
		{"orgs.sourcedId='s3'", false},
		{"grades='05'", true},
		{"enabledUser='true'", true},
		{"score>'10'", false},
		{"score<'10'", true},
		{"missing='x'", false},
		{"missing!='x'", true},
		{"role='teacher' OR givenName='Amina'", true},
		{"role='teacher' AND givenName='Amina'", false},
		{"status='norecords'", false},
	}
	for _, tc := range cases {
		t.Run(tc.filter, func(t *testing.T) {
			t.Parallel()
			f, err := ParseFilter(tc.filter)
			require.NoError(t, err)
			assert.Equal(t, tc.want, f.Match(obj))
		})
	}
}

func TestParamsAndSelect(t *testing.T) {
	t.Parallel()
	known := func(f string) bool { return f == "sourcedId" || f == "familyName" || f == "role" }
	get := func(q string) func(string) string {
		v, err := url.ParseQuery(q)
		require.NoError(t, err)
		return v.Get
	}
	var items []Item
	names := []string{"Okello", "Ali", "Hassan", "Ali"}
	for i, n := range names {
		items = append(items, Item{Pos: i, Obj: map[string]any{"sourcedId": string(rune('a' + i)), "familyName": n, "role": "student"}})
	}
	p, err := Parse(get("sort=familyName&limit=2&offset=1"), known)
	require.NoError(t, err)
	page, total := p.Select(items)
	assert.Equal(t, 4, total)
	require.Len(t, page, 2)
	assert.Equal(t, "d", page[0].Obj["sourcedId"], "ties broken by sourcedId")
	assert.Equal(t, "c", page[1].Obj["sourcedId"])

	p, err = Parse(get("orderBy=desc&offset=10"), known)
	require.NoError(t, err)
	page, total = p.Select(items)
	assert.Empty(t, page)
	assert.Equal(t, 4, total)

	p, err = Parse(get("filter="+url.QueryEscape("familyName='Ali'")+"&fields=familyName"), known)
	require.NoError(t, err)
	page, total = p.Select(items)
	assert.Equal(t, 2, total)
	assert.Equal(t, map[string]any{"sourcedId": "b", "familyName": "Ali"}, p.Project(page[0].Obj))

	p, err = Parse(get("limit=999999"), known)
	require.NoError(t, err)
	assert.Equal(t, MaxLimit, p.Limit)

	for q, code := range map[string]string{
		"sort=shoeSize":              CodeInvalidSort,
		"fields=shoeSize":            CodeInvalidSelection,
		"filter=shoeSize%3D%2742%27": CodeInvalidFilter,
		"limit=0":                    CodeInvalidData,
		"offset=-1":                  CodeInvalidData,
		"orderBy=sideways":           CodeInvalidData,
	} {
		_, err := Parse(get(q), known)
		var qe *Error
		require.ErrorAs(t, err, &qe, q)
		assert.Equal(t, code, qe.Code, q)
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"role='student'", "a='1' OR b>='2' AND c~'x'", "familyName='O''Brien'", "x='", "dateLastModified>'2024-01-31'"} {
		f.Add(s)
	}
	obj := map[string]any{"role": "student", "a": "1", "orgs": []any{map[string]any{"sourcedId": "s"}}}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := ParseFilter(s)
		if err != nil {
			var qe *Error
			if !errorsAs(err, &qe) || qe.Code != CodeInvalidFilter {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if flt.Clauses() == 0 {
			t.Fatal("parsed filter without clauses")
		}
		_ = flt.Match(obj)
	})
}
