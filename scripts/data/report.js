(function(){var q=function(s){return Array.prototype.slice.call(document.querySelectorAll(s))};
var bar=document.getElementById('tools');function btn(t,f){var b=document.createElement('button');
b.textContent=t;b.onclick=f;bar.appendChild(b)}
btn('collapse all files',function(){q('details.file').forEach(function(d){d.open=false})});
btn('expand all files',function(){q('details.file').forEach(function(d){d.open=true})});
if(document.getElementById('grid'))btn('only failing cells',function(){q('#grid tr.row').forEach(function(r){
if(!r.querySelector('td.fail'))r.hidden=!r.hidden})});
var hs=q('.hunk'),i=-1;document.addEventListener('keydown',function(e){
if(e.target.tagName==='INPUT'||!hs.length)return;if(e.key==='j')i=Math.min(i+1,hs.length-1);
else if(e.key==='k')i=Math.max(i-1,0);else return;var d=hs[i].closest('details');if(d)d.open=true;
hs[i].scrollIntoView();location.hash=hs[i].id})})();
