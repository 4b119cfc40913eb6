// The JADE side of scripts/jade-interop.sh: sends the Itinerant agent a
// REQUEST (answered by an INFORM), and answers the Itinerant agent's
// QUERY-REF with an INFORM. Prints "INTEROP ..." lines the script checks.
// The Itinerant agent's name and FIPA HTTP address come as system
// properties (itin.name, itin.url), since JADE's -agents syntax splits on ':'.

import jade.core.AID;
import jade.core.Agent;
import jade.core.behaviours.CyclicBehaviour;
import jade.lang.acl.ACLMessage;

public class InteropAgent extends Agent {
    @Override
    protected void setup() {
        String name = System.getProperty("itin.name", "echo@itin");
        String url = System.getProperty("itin.url", "http://127.0.0.1:7779/acc");
        AID itinerant = new AID(name, AID.ISGUID);
        itinerant.addAddresses(url);

        ACLMessage request = new ACLMessage(ACLMessage.REQUEST);
        request.addReceiver(itinerant);
        request.setContent("ping from jade");
        request.setConversationId("jade-1");
        request.setReplyWith("jr1");
        request.setProtocol("fipa-request");
        send(request);
        System.out.println("INTEROP jade sent REQUEST to " + name + " at " + url);

        addBehaviour(new CyclicBehaviour(this) {
            @Override
            public void action() {
                ACLMessage m = myAgent.receive();
                if (m == null) {
                    block();
                    return;
                }
                int p = m.getPerformative();
                if (p == ACLMessage.INFORM && "jade-1".equals(m.getConversationId())) {
                    System.out.println("INTEROP jade<-itin INFORM " + m.getContent());
                } else if (p == ACLMessage.QUERY_REF) {
                    ACLMessage reply = m.createReply();
                    reply.setPerformative(ACLMessage.INFORM);
                    reply.setContent("jade-answer " + m.getContent());
                    myAgent.send(reply);
                    System.out.println("INTEROP jade answered QUERY-REF " + m.getContent() + " from " + m.getSender().getName());
                } else {
                    System.out.println("INTEROP jade got unexpected " + ACLMessage.getPerformative(p) + ": " + m);
                }
            }
        });
    }
}
