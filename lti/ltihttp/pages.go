package ltihttp

import (
	"encoding/json"
	"html/template"
	"io"
)

// The pages are server-rendered, work without web fonts or images, fit a
// small phone screen, and keep scripts to the platform-storage and
// auto-submit steps (each has a visible no-script fallback).
const layout = `{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}} · Passport</title>
<style>
*{box-sizing:border-box}body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:1rem;color:#1b1b1b;background:#fff;line-height:1.5}
main{max-width:44rem;margin:0 auto}h1{font-size:1.35rem;margin:.2rem 0 1rem}
a,button{font:inherit}button,.button{display:inline-block;padding:.65rem 1.1rem;border:0;border-radius:.4rem;background:#0b5cad;color:#fff;text-decoration:none;cursor:pointer;min-height:44px}
button.secondary{background:#e8e8e8;color:#1b1b1b}button:focus,a:focus,input:focus{outline:3px solid #f5a623;outline-offset:2px}
ul.items{list-style:none;padding:0;margin:0 0 1rem}ul.items li{border:1px solid #ccc;border-radius:.4rem;margin:.5rem 0;padding:.6rem}
ul.items label{display:flex;gap:.7rem;align-items:flex-start;cursor:pointer}ul.items input{margin-top:.35rem;width:1.2rem;height:1.2rem}
.desc{color:#444;font-size:.95rem}.tags{font-size:.85rem;color:#555}.note{background:#f4f7fb;border-left:4px solid #0b5cad;padding:.6rem .8rem}
input[type=search]{width:100%;padding:.6rem;font:inherit;border:1px solid #888;border-radius:.4rem;margin:.3rem 0 .8rem}
iframe{width:100%;min-height:70vh;border:1px solid #ccc;border-radius:.4rem}
.visually-hidden{position:absolute;left:-9999px}
</style></head><body><main>{{end}}
{{define "foot"}}</main></body></html>{{end}}

{{define "storage-login"}}{{template "head" .}}
<h1>Connecting to your learning platform…</h1>
<p id="status" role="status">One moment, please.</p>
<script type="application/json" id="lti-data">{{.Data}}</script>
<noscript><p>JavaScript is off, so we cannot keep your sign-in in the platform. <a class="button" href="{{.Next}}">Continue</a></p></noscript>
<script>
(function(){
// probe finds the platform-storage frame: the lti_storage_target frame
// when the login named one, otherwise the frame the platform names in its
// answer to lti.capabilities (null: no platform storage).
function probe(d,cb){
  if(d.target){cb((d.target==='_parent')?window.parent:(window.parent.frames[d.target]||window.parent));return;}
  if(window.parent===window){cb(null);return;}
  var id='cap-'+Math.random().toString(36).slice(2),over=false;
  function end(w){if(over)return;over=true;window.removeEventListener('message',on);cb(w);}
  function on(e){
    if(e.origin!==d.origin||!e.data||e.data.message_id!==id||e.data.subject!=='lti.capabilities.response')return;
    var ms=e.data.supported_messages||[],put=null,get=null;
    for(var i=0;i<ms.length;i++){if(ms[i]&&ms[i].subject==='lti.put_data')put=ms[i];if(ms[i]&&ms[i].subject==='lti.get_data')get=ms[i];}
    if(!put||!get){end(null);return;}
    end(put.frame?(window.parent.frames[put.frame]||null):window.parent);
  }
  window.addEventListener('message',on);
  try{window.parent.postMessage({subject:'lti.capabilities',message_id:id},d.origin);}catch(err){end(null);return;}
  setTimeout(function(){end(null);},1500);
}
  var d=JSON.parse(document.getElementById('lti-data').textContent);
  var done=false;function go(){if(done)return;done=true;window.location.replace(d.next);}
  probe(d,function(w){
    if(!w){go();return;}
    var id='put-'+Math.random().toString(36).slice(2);
    window.addEventListener('message',function(e){
      if(e.origin!==d.origin||!e.data||e.data.message_id!==id)return;go();
    });
    try{w.postMessage({subject:'lti.put_data',message_id:id,key:d.key,value:d.value},d.origin);}catch(err){}
    setTimeout(go,2000);
  });
})();
</script>
{{template "foot" .}}{{end}}

{{define "storage-check"}}{{template "head" .}}
<h1>Checking your sign-in…</h1>
<p id="status" role="status">One moment, please.</p>
<script type="application/json" id="lti-data">{{.Data}}</script>
<form id="relaunch" method="post" action="{{.Action}}">
{{range $k, $v := .Fields}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
<input type="hidden" name="lti_storage_value" value="">
<noscript><p>This browser blocks the cookie we need and JavaScript is off. Open the activity in a new window from your learning platform.</p></noscript>
</form>
<script>
(function(){
// probe finds the platform-storage frame: the lti_storage_target frame
// when the login named one, otherwise the frame the platform names in its
// answer to lti.capabilities (null: no platform storage).
function probe(d,cb){
  if(d.target){cb((d.target==='_parent')?window.parent:(window.parent.frames[d.target]||window.parent));return;}
  if(window.parent===window){cb(null);return;}
  var id='cap-'+Math.random().toString(36).slice(2),over=false;
  function end(w){if(over)return;over=true;window.removeEventListener('message',on);cb(w);}
  function on(e){
    if(e.origin!==d.origin||!e.data||e.data.message_id!==id||e.data.subject!=='lti.capabilities.response')return;
    var ms=e.data.supported_messages||[],put=null,get=null;
    for(var i=0;i<ms.length;i++){if(ms[i]&&ms[i].subject==='lti.put_data')put=ms[i];if(ms[i]&&ms[i].subject==='lti.get_data')get=ms[i];}
    if(!put||!get){end(null);return;}
    end(put.frame?(window.parent.frames[put.frame]||null):window.parent);
  }
  window.addEventListener('message',on);
  try{window.parent.postMessage({subject:'lti.capabilities',message_id:id},d.origin);}catch(err){end(null);return;}
  setTimeout(function(){end(null);},1500);
}
  var d=JSON.parse(document.getElementById('lti-data').textContent);
  var status=document.getElementById('status');
  probe(d,function(w){
    if(!w){status.textContent='This browser blocks the cookie we need and your learning platform offers no other way. Open the activity in a new window from your learning platform.';return;}
    var id='get-'+Math.random().toString(36).slice(2);
    window.addEventListener('message',function(e){
      if(e.origin!==d.origin||!e.data||e.data.message_id!==id)return;
      if(!e.data.value){status.textContent='We could not confirm your sign-in. Please launch the activity again.';return;}
      var f=document.getElementById('relaunch');f.elements['lti_storage_value'].value=e.data.value;f.submit();
    });
    try{w.postMessage({subject:'lti.get_data',message_id:id,key:d.key},d.origin);}catch(err){}
    setTimeout(function(){status.textContent='Your learning platform did not answer. Please launch the activity again, or open it in a new window.';},4000);
  });
})();
</script>
{{template "foot" .}}{{end}}

{{define "content"}}{{template "head" .}}
<h1>{{.Content.Title}}</h1>
{{if .Content.Description}}<p class="desc">{{.Content.Description}}</p>{{end}}
{{if .Anonymous}}<p class="note">You are not signed in, so this activity will not be saved to a passport.</p>{{end}}
{{if .LaunchURL}}<p><a class="button" href="{{.LaunchURL}}" target="_blank" rel="noopener">Open in a new window</a></p>
<iframe src="{{.LaunchURL}}" title="{{.Content.Title}}" allow="fullscreen" loading="eager"></iframe>{{else}}<p class="note">This activity cannot be opened right now. Please try again later.</p>{{end}}
{{if .ReturnURL}}<p><a href="{{.ReturnURL}}" target="_top">Back to the course</a></p>{{end}}
{{template "foot" .}}{{end}}

{{define "landing"}}{{template "head" .}}
<h1>Passport is connected</h1>
<p>Your learning platform launched Passport, but this link does not point to an activity.{{if .Teacher}} Edit the link in your course and choose an activity from the Passport catalogue.{{end}}</p>
{{template "foot" .}}{{end}}

{{define "picker"}}{{template "head" .}}
<h1>Choose {{if .Multiple}}Passport activities{{else}}a Passport activity{{end}}</h1>
{{if .Unsupported}}<p class="note">This place in your learning platform does not accept Passport activities.</p>{{end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="session" value="{{.Session}}">
<label for="q">Search by title, subject or description</label>
<input type="search" id="q" name="q" value="{{.Query}}" autocomplete="off">
<button type="submit" name="action" value="search" class="secondary">Search</button>
{{if .Items}}<ul class="items">
{{range .Items}}<li><label><input type="{{if $.Multiple}}checkbox{{else}}radio{{end}}" name="item" value="{{.ID}}">
<span><strong>{{.Title}}</strong>{{if .Scored}} · scored out of {{.ScoreMaximum}}{{end}}<br>
{{if .Description}}<span class="desc">{{.Description}}</span><br>{{end}}
{{if .Tags}}<span class="tags">{{range $i, $t := .Tags}}{{if $i}}, {{end}}{{$t}}{{end}}</span>{{end}}</span></label></li>
{{end}}</ul>{{else}}<p class="note">No activity matches{{if .Query}} “{{.Query}}”{{end}}.</p>{{end}}
<p><button type="submit" name="action" value="select">Add to course</button>
<button type="submit" name="action" value="cancel" class="secondary">Cancel</button></p>
</form>
{{template "foot" .}}{{end}}

{{define "autopost"}}{{template "head" .}}
<h1>{{.Heading}}</h1>
<form id="autopost" method="post" action="{{.Action}}">
{{range $k, $v := .Fields}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
<button type="submit">Continue</button>
</form>
<script>document.getElementById('autopost').submit();</script>
{{template "foot" .}}{{end}}

{{define "error"}}{{template "head" .}}
<h1>This activity could not be opened</h1>
<p role="alert">{{.Message}}</p>
<p>If this keeps happening, give your administrator this reference: <code>{{.ID}}</code> ({{.Status}} {{.Title}}).</p>
{{template "foot" .}}{{end}}

{{define "registered"}}{{template "head" .}}
<h1>Passport is registered</h1>
<p>{{.Platform}} can now launch Passport activities. You can close this window.</p>
<script>(window.opener || window.parent).postMessage({subject:'org.imsglobal.lti.close'}, '*');</script>
{{template "foot" .}}{{end}}
`

var pages = template.Must(template.New("pages").Parse(layout))

// jsonData renders v for a <script type="application/json"> block; Go's
// JSON encoder escapes <, > and &, so the block cannot be closed early.
func jsonData(v any) template.JS {
	b, _ := json.Marshal(v)
	return template.JS(b) //nolint:gosec // JSON with <>& escaped, inside a JSON script block
}

func render(w io.Writer, name string, data any) error {
	return pages.ExecuteTemplate(w, name, data)
}
