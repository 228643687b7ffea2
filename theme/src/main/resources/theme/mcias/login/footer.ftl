<#macro content>
<p id="mcias-footer" class="mcias-footer">${msg("mciasFooter")}</p>
</#macro>
