// The /dev/chat phone simulator (bot/demo/chat.py, templates/demo/chat.html): pick a person,
// type as them (POST /dev/chat/api/send), tap card buttons (/dev/chat/api/tap), and see what
// the bot sends them (SSE /dev/chat/api/stream, or polling /dev/chat/api/messages).
const $=id=>document.getElementById(id);
const COOKIE=$('app').dataset.cookie;  // who holds the phone, for the demo OAuth page
const who=$('who'),log=$('log'),t=$('t'),rolesBox=$('roles');
const ROLE={staff:'职员',dept_head:'处长',fleet_manager:'车队长',driver:'司机',repair_dispatcher:'报修调度',
repair_worker:'维修工',facility_admin:'场地管理员',asset_manager:'资产管理员',admin:'管理员'};
let users={},after=0,es=null,pollTimer=null,lastSeqs={};
const seen=JSON.parse(localStorage.getItem('devchat_seen')||'{}');
function esc(s){return String(s??'').replace(/[&<>"']/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]))}
function safeUrl(u){u=String(u||'');return /^(https?:)?\/\//i.test(u)||u.startsWith('/')?u:'#'}
function md(s){let h=esc(s);
 h=h.replace(/&lt;font color=&quot;(info|warning|comment)&quot;&gt;([\s\S]*?)&lt;\/font&gt;/g,'<span class="$1">$2</span>');
 h=h.replace(/\*\*([^*]+)\*\*/g,'<b>$1</b>');
 h=h.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g,(m,a,u)=>'<a target="_blank" rel="noopener" href="'+esc(safeUrl(u.replace(/&amp;/g,'&')))+'">'+a+'</a>');
 h=h.replace(/^#{1,6} (.*)$/gm,'<b>$1</b>').replace(/^&gt; ?/gm,'│ ');return h}
function stripTags(s){return String(s||'').replace(/<br\s*\/?>/gi,'\n').replace(/<\/div>/gi,'\n').replace(/<[^>]*>/g,'').trim()}
// A text message's <a href="…">…</a>, as WeCom shows it: a link (everything else stays text).
function txt(s){return esc(s).replace(/&lt;a href=&quot;(.+?)&quot;&gt;(.*?)&lt;\/a&gt;/g,(m,u,a)=>'<a target="_blank" rel="noopener" href="'+esc(safeUrl(u.replace(/&amp;/g,'&')))+'">'+a+'</a>')}
function link(url,text,cls){return '<a class="'+cls+'" target="_blank" rel="noopener" href="'+esc(safeUrl(url))+'">'+esc(text)+'</a>'}
function cardHtml(m){const c=m.content,k=m.kind;let h='';
 if(k==='textcard'){h+='<div class="ttl">'+esc(c.title)+'</div><div class="desc2">'+esc(stripTags(c.description))+'</div>';
  if(c.url)h+=link(c.url,c.btntxt||'详情','jump');return h}
 if(k==='news'){for(const a of c.articles||[])h+=link(a.url,a.title,'ttl')+'<div class="desc2">'+esc(a.description)+'</div>';return h}
 if(c.source&&c.source.desc)h+='<div class="src">'+esc(c.source.desc)+'</div>';
 const mt=c.main_title||{},url=c.card_action&&c.card_action.url;
 h+=url?link(url,mt.title||'','ttl'):'<div class="ttl">'+esc(mt.title)+'</div>';
 if(mt.desc)h+='<div class="desc">'+esc(mt.desc)+'</div>';
 if(c.emphasis_content)h+='<div class="ttl">'+esc(c.emphasis_content.title)+'</div><div class="desc">'+esc(c.emphasis_content.desc)+'</div>';
 const q=c.quote_area;if(q&&(q.title||q.quote_text))h+='<div class="quote" data-testid="card-chain">'+(q.title?'<b>'+esc(q.title)+'</b>\n':'')+esc(q.quote_text||'')+'</div>';
 if(c.sub_title_text)h+='<div class="sub">'+esc(c.sub_title_text)+'</div>';
 const rows=c.horizontal_content_list||[];
 if(rows.length){h+='<dl>';for(const r of rows)h+='<dt>'+esc(r.keyname)+'</dt><dd>'+(r.url?link(r.url,r.value||'',''):esc(r.value))+'</dd>';h+='</dl>'}
 for(const j of c.jump_list||[])if(j.url)h+=link(j.url,j.title,'jump');
 if(c.replace_text)h+='<div class="done" data-testid="card-result">'+esc(c.replace_text)+'</div>';
 else if((c.button_list||[]).length){h+='<div class="btns">';for(const b of c.button_list)
  h+=(b.type===1&&b.url)?link(b.url,b.text,'jump'):'<button class="s'+esc(b.style||1)+'" data-key="'+esc(b.key)+'"'+(m.tapped?' disabled':'')+'>'+esc(b.text)+'</button>';h+='</div>'}
 return h}
function render(m){
 if(m.kind==='card_update'){const el=log.querySelector('[data-seq="'+m.target+'"] .card');
  if(el){el.innerHTML=cardHtml({kind:'template_card',content:m.content});wire(el,m.target)}return}
 const row=document.createElement('div');const mine=m.from==='me';
 row.className='row'+(mine?' me':'');row.dataset.seq=m.seq;row.dataset.kind=m.kind;
 const av='<div class="av">'+(mine?esc((users[who.value]||{}).name||'我').slice(-2):'助手')+'</div>';
 if(m.kind==='text')row.innerHTML=av+'<div class="bubble">'+txt(m.content.content)+'</div>';
 else if(m.kind==='markdown')row.innerHTML=av+'<div class="bubble md">'+md(m.content.content)+'</div>';
 else if(['textcard','news','template_card'].includes(m.kind)){row.innerHTML=av+'<div class="card"></div>';
  const el=row.querySelector('.card');el.innerHTML=cardHtml(m);wire(el,m.seq)}
 else row.innerHTML=av+'<div class="bubble">'+esc(JSON.stringify(m.content))+'</div>';
 log.appendChild(row);log.scrollTop=log.scrollHeight}
function wire(el,seq){for(const b of el.querySelectorAll('.btns button'))b.onclick=async()=>{
 for(const x of el.querySelectorAll('.btns button'))x.disabled=true;
 const r=await fetch('/dev/chat/api/tap',{method:'POST',headers:{'Content-Type':'application/json'},
  body:JSON.stringify({user:who.value,seq:seq,key:b.dataset.key})});
 if(!r.ok)for(const x of el.querySelectorAll('.btns button'))x.disabled=false}}
function take(list){for(const m of list){render(m);after=Math.max(after,m.seq)}
 seen[who.value]=Math.max(seen[who.value]||0,after);localStorage.setItem('devchat_seen',JSON.stringify(seen));marks()}
function marks(){for(const o of who.options){const u=users[o.value];if(!u)continue;
  const unread=o.value!==who.value&&(lastSeqs[o.value]||0)>(seen[o.value]||0);
  o.textContent=(unread?'● ':'')+u.name+' · '+u.roles.map(r=>ROLE[r]||r).join('、')+' · '+u.department}
 for(const b of rolesBox.querySelectorAll('button')){const u=b.dataset.user;b.classList.toggle('on',u===who.value);
  const unread=u!==who.value&&(lastSeqs[u]||0)>(seen[u]||0);let d=b.querySelector('.dot');
  if(unread&&!d){d=document.createElement('span');d.className='dot';b.appendChild(d)}else if(!unread&&d)d.remove()}}
async function poll(){const r=await fetch('/dev/chat/api/messages?user='+encodeURIComponent(who.value)+'&after='+after);
 if(r.ok){const d=await r.json();lastSeqs=d.last;take(d.messages)}}
function startPolling(){if(!pollTimer)pollTimer=setInterval(poll,1000);poll()}
function connect(){if(es){es.close();es=null}
 if(!window.EventSource||location.hash==='#poll'){startPolling();return}
 es=new EventSource('/dev/chat/api/stream?user='+encodeURIComponent(who.value)+'&after='+after);
 es.onmessage=e=>take([JSON.parse(e.data)]);
 es.addEventListener('last',e=>{lastSeqs=JSON.parse(e.data);marks()});
 es.onerror=()=>{if(es&&es.readyState===EventSource.CLOSED){es=null;startPolling()}}}
function pick(uid){if(!users[uid])return;who.value=uid;log.innerHTML='<div class="hint">以 '+esc(users[uid].name)+' 的身份使用企业微信</div>';after=0;
 document.cookie=COOKIE+'='+encodeURIComponent(uid)+';path=/;SameSite=Lax';
 $('me').textContent=users[uid].name+' · '+users[uid].department;
 const q=new URLSearchParams(location.search);q.set('as',uid);history.replaceState(null,'','?'+q+location.hash);
 marks();if(pollTimer)poll();else connect()}
who.onchange=()=>pick(who.value);
$('f').onsubmit=async e=>{e.preventDefault();const text=t.value.trim();if(!text)return;t.value='';
 await fetch('/dev/chat/api/send',{method:'POST',headers:{'Content-Type':'application/json'},body:JSON.stringify({user:who.value,text})});
 if(pollTimer)poll()};
for(const li of document.querySelectorAll('#tips li'))li.onclick=()=>{t.value=li.textContent;t.focus()};
setInterval(()=>{const d=new Date();$('clock').textContent=d.toTimeString().slice(0,5)},1000);
fetch('/dev/chat/api/users').then(r=>r.json()).then(d=>{
 for(const u of d.users){users[u.userid]=u;const o=document.createElement('option');o.value=u.userid;who.appendChild(o)}
 for(const [role,uid] of Object.entries(d.featured)){const b=document.createElement('button');b.dataset.user=uid;
  b.dataset.role=role;b.innerHTML=esc(ROLE[role]||role)+'<small>'+esc(users[uid].name)+'</small>';b.onclick=()=>pick(uid);rolesBox.appendChild(b)}
 const want=new URLSearchParams(location.search).get('as');pick(users[want]?want:(d.featured.staff||d.users[0].userid))});
