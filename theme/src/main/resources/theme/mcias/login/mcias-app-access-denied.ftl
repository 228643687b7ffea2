<#-- Members-only app refused this user (spi-app-access). Names the app and whom to ask; no form, no way on. -->
<#import "template.ftl" as layout>
<@layout.registrationLayout displayMessage=false; section>
    <#if section = "header">
        ${msg("mciasAppAccessTitle")}
    <#elseif section = "form">
        <div id="mcias-app-access-denied">
            <p class="instruction" id="mcias-app-access-app">${msg("mciasAppAccessDenied", mciasApp!"")}</p>
            <#if mciasAppContact?? && mciasAppContact?has_content>
                <p class="instruction" id="mcias-app-access-ask">${msg("mciasAppAccessAskContact", mciasAppContact)}</p>
            <#else>
                <p class="instruction" id="mcias-app-access-ask">${msg("mciasAppAccessAskAdmin")}</p>
            </#if>
            <p class="instruction" id="mcias-app-access-other">${msg("mciasAppAccessOtherApps")}</p>
        </div>
    </#if>
</@layout.registrationLayout>
