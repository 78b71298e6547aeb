"""A small ProcessWorkSchedule and hand-made variants of it for the diff tests."""

from __future__ import annotations


def job(jid: str, priority: str = "2", qty: str = "1850", visc: str = "12.5") -> str:
    return f"""
      <JobOrder>
        <ID>{jid}</ID>
        <Description>Filling {jid}</Description>
        <StartTime>2026-11-24T06:00:00+01:00</StartTime>
        <Priority>{priority}</Priority>
        <EquipmentRequirement><ID>ER-1</ID><EquipmentID>L2-FILLER</EquipmentID></EquipmentRequirement>
        <MaterialRequirement>
          <ID>MR-10</ID>
          <MaterialDefinitionID>OJ-CONC</MaterialDefinitionID>
          <MaterialUse>Consumed</MaterialUse>
          <Quantity><QuantityString>{qty}</QuantityString><UnitOfMeasure>KGM</UnitOfMeasure></Quantity>
          <MaterialRequirementProperty>
            <ID>VISCOSITY</ID>
            <Value><ValueString>{visc}</ValueString><UnitOfMeasure>C7</UnitOfMeasure></Value>
          </MaterialRequirementProperty>
        </MaterialRequirement>
      </JobOrder>"""


def schedule(*jobs: str, request: str = "PO-4711") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ProcessWorkSchedule xmlns="http://www.mesa.org/xml/B2MML" releaseID="V0701">
  <ApplicationArea>
    <Sender><LogicalID>ERP</LogicalID></Sender>
    <CreationDateTime>2026-11-23T05:42:17Z</CreationDateTime>
  </ApplicationArea>
  <DataArea>
    <Process/>
    <WorkSchedule>
      <ID>WS-48</ID>
      <WorkRequest>
        <ID>{request}</ID>{"".join(jobs)}
      </WorkRequest>
    </WorkSchedule>
  </DataArea>
</ProcessWorkSchedule>
""".encode()


BASE = schedule(job("JO-1"), job("JO-2"), job("JO-3"))
REQUEST = '/ProcessWorkSchedule/DataArea/WorkSchedule[ID="WS-48"]/WorkRequest[ID="PO-4711"]'
JOBS = "data_area.work_schedule[0].work_request[0].job_order"
