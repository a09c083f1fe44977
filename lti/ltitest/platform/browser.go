package platform

import (
	"html/template"
	"net/http"
	"net/url"
)

// CoursePage prepares m and returns the URL of a course page that launches
// the tool in an iframe the way an LMS does, with a platform-storage frame
// named post_message_forwarding, for tests in a real browser.
func (p *Platform) CoursePage(m Message) (string, error) {
	login, _, err := p.prepareLogin(m)
	if err != nil {
		return "", err
	}
	id := randomID(9)
	p.mu.Lock()
	if p.pages == nil {
		p.pages = map[string]url.Values{}
	}
	p.pages[id] = login
	if m.Faults.NoCapabilities {
		if p.noCaps == nil {
			p.noCaps = map[string]bool{}
		}
		p.noCaps[id] = true
	}
	p.mu.Unlock()
	return p.URL("/course?l=" + id), nil
}

// TopPage is CoursePage for a platform that opens the tool in the whole
// window ("open in a new window" placements): the login form is submitted
// in the top-level page instead of an iframe.
func (p *Platform) TopPage(m Message) (string, error) {
	u, err := p.CoursePage(m)
	if err != nil {
		return "", err
	}
	return u + "&top=1", nil
}

var coursePage = template.Must(template.New("course").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Course · Simulated LMS</title></head><body>
<h1>Mathematics 1</h1>
<iframe name="post_message_forwarding" src="/storage-frame" style="display:none" title="platform storage"></iframe>
<form id="login" method="post" action="{{.Action}}" target="{{.Target}}">
{{range $k, $vs := .Fields}}{{range $vs}}<input type="hidden" name="{{$k}}" value="{{.}}">{{end}}{{end}}
</form>
<iframe name="tool" title="Passport" style="width:100%;height:600px" allow="fullscreen"></iframe>
<script>
{{if .Capabilities}}// The course page answers lti.capabilities: platform storage is offered in
// the post_message_forwarding frame (even when the login does not name it).
window.addEventListener('message',function(e){
  var d=e.data||{};
  if(d.subject!=='lti.capabilities')return;
  e.source.postMessage({subject:'lti.capabilities.response',message_id:d.message_id,supported_messages:[
    {subject:'lti.capabilities'},{subject:'lti.put_data',frame:'post_message_forwarding'},{subject:'lti.get_data',frame:'post_message_forwarding'}]},e.origin);
});{{end}}
var sent=false;function go(){if(sent)return;sent=true;document.getElementById('login').submit();}
document.querySelector('iframe[name=post_message_forwarding]').addEventListener('load', go);
setTimeout(go, 1000);
</script>
</body></html>`))

func (p *Platform) handleCourse(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	login, ok := p.pages[r.URL.Query().Get("l")]
	caps := !p.noCaps[r.URL.Query().Get("l")]
	p.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	target := "tool"
	if r.URL.Query().Get("top") == "1" {
		target = "_self"
	}
	_ = coursePage.Execute(w, map[string]any{"Action": p.ToolLoginURL, "Fields": login, "Target": target, "Capabilities": caps})
}

// storageFramePage answers lti.put_data and lti.get_data (the LTI
// platform-storage postMessage API) for frames of the page.
const storageFramePage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>storage</title></head><body><script>
var store = {};
window.addEventListener('message', function (e) {
  var d = e.data || {};
  if (d.subject === 'lti.put_data') {
    store[d.key] = d.value;
    e.source.postMessage({subject: 'lti.put_data.response', message_id: d.message_id, key: d.key, value: d.value}, e.origin);
  } else if (d.subject === 'lti.get_data') {
    e.source.postMessage({subject: 'lti.get_data.response', message_id: d.message_id, key: d.key, value: store[d.key]}, e.origin);
  }
});
</script></body></html>`

func (p *Platform) handleStorageFrame(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(storageFramePage))
}
