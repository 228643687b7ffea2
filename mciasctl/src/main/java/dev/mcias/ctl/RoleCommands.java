package dev.mcias.ctl;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mcias.client.ApiException;
import dev.mcias.client.Http;
import dev.mcias.client.MciasClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "roles", description = "Realm roles (Keycloak admin API; needs realm role admin).",
        subcommands = {RoleCommands.ListRoles.class, RoleCommands.Create.class, RoleCommands.Delete.class, Help.class})
final class RoleCommands {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;


    private RoleCommands() {
    }

    static JsonNode find(MciasClient c, String name) {
        try {
            return c.admin("GET", "/roles/" + Http.segment(name), null);
        } catch (ApiException e) {
            if (e.status() == 404) {
                throw new ApiException(404, "not_found", "role " + name + " not found");
            }
            throw e;
        }
    }

    @Command(name = "list", description = "Lists realm roles.")
    static final class ListRoles extends Base {
        @Override
        public Integer call() throws Exception {
            JsonNode roles = client().admin("GET", "/roles" + MciasClient.query(Map.of("briefRepresentation", "true")), null);
            if (json()) {
                print(roles);
            } else {
                Output.table(out(), roles, List.of("ROLE", "COMPOSITE", "DESCRIPTION"),
                        List.of("name", "composite", "description"));
            }
            return Mciasctl.OK;
        }
    }

    @Command(name = "create", description = "Creates a realm role.")
    static final class Create extends Base {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--description")
        String description;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> rep = new LinkedHashMap<>();
            rep.put("name", name);
            if (description != null) {
                rep.put("description", description);
            }
            MciasClient c = client();
            c.admin("POST", "/roles", rep);
            if (json()) {
                print(find(c, name));
            } else {
                out().println("Created role " + name + ".");
            }
            return Mciasctl.OK;
        }
    }

    @Command(name = "delete", description = "Deletes a realm role.")
    static final class Delete extends Base {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            MciasClient c = client();
            find(c, name);
            c.admin("DELETE", "/roles/" + Http.segment(name), null);
            return done("Deleted role " + name + ".", "name", name, "deleted", true);
        }
    }
}
